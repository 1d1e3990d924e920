// The operator's own account: preferences stored on the user (so they follow the operator to another browser) and
// whether the password must be changed first. One zod schema per request and answer, types from z.infer.
// Browser-safe: no Node imports.
import { z } from 'zod';
import { UserInfoSchema } from './operator-answers.js';
import { oneOf, strictBody, text, type IssueAt, fieldName, describeType } from './schema-kit.js';
import { isTimeZone } from './timestamps.js';

/** light / dark, or system: follow the browser's `prefers-color-scheme`. */
export const THEME_MODES = ['system', 'light', 'dark'] as const;
export type ThemeMode = (typeof THEME_MODES)[number];

export const PreferencesSchema = z.object({
  /** An IANA zone the app shows times in; null = the browser's own zone. */
  time_zone: z.string().nullable(),
  theme: z.enum(THEME_MODES),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

/** GET /api/account, PATCH /api/account/preferences. */
export const AccountResponseSchema = z.object({
  user: UserInfoSchema,
  /**
   * true after an admin created the user with a generated password or reset it: every other operator route answers
   * 403 PASSWORD_CHANGE_REQUIRED until POST /api/auth/password succeeds.
   */
  must_change_password: z.boolean(),
  preferences: PreferencesSchema,
});
export type AccountResponse = z.infer<typeof AccountResponseSchema>;

const timeZoneField = () =>
  text(1, 64, { expected: 'an IANA time zone such as "Europe/Berlin", or null' })
    .refine(isTimeZone, {
      error: (iss: IssueAt) =>
        `${fieldName(iss.path)} must be an IANA time zone such as "Europe/Berlin" (or null for the browser's), got ${describeType(iss.input)}`,
      abort: true,
    })
    .nullable();

export const PreferencesUpdateRequestSchema = strictBody(
  { time_zone: timeZoneField().optional(), theme: oneOf(THEME_MODES).optional() },
  (input) => `the body must be a JSON object {"time_zone"?, "theme"?}, got ${describeType(input)}`,
);
export type PreferencesUpdateRequest = z.infer<typeof PreferencesUpdateRequestSchema>;

// The dashboard's login (/api/session) and the control actions (/api/control/*), which need the local credential.
import { z } from 'zod';
import { deadLetterIdsInput, isoTimeSchema, reasonInput } from './fields.js';
import { backlogViewSchema, collectionViewSchema, uplinkViewSchema } from './status.js';

export const sessionResponseSchema = z.object({
  control_enabled: z.boolean(),
  authenticated: z.boolean(),
  by: z.enum(['token', 'session']).nullable(),
  expires_at: isoTimeSchema.nullable(),
});

const TOKEN = 'must be 1 to 512 characters';

/** POST /api/session: the control token buys a short-lived session. */
export const loginRequestSchema = z.object({
  token: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, TOKEN)
    .max(512, TOKEN),
});

export const loginResponseSchema = z.object({ session_token: z.string(), expires_at: isoTimeSchema });

/** POST /api/control/collection/start and …/stop. */
export const collectionRequestSchema = z.object({ reason: reasonInput.optional() });

export const collectionResponseSchema = z.object({ collection: collectionViewSchema });

/** POST /api/control/sync takes no fields. */
export const syncNowRequestSchema = z.object({});

export const syncNowResponseSchema = z.object({
  result: z.object({
    ok: z.boolean().describe('Whether every batch reached the client system'),
    batches: z.number(),
    sent: z.number(),
    stored: z.number(),
    duplicates: z.number().describe('Readings the client system already had (a resend changes nothing)'),
    dead_lettered: z.number().describe('Readings the client system refused; see the dead letters'),
    error_code: z.string().nullable(),
    error: z.string().nullable(),
    started_at: isoTimeSchema,
    finished_at: isoTimeSchema,
    duration_ms: z.number(),
  }),
  backlog: backlogViewSchema,
  uplink: uplinkViewSchema,
});

/** POST /api/control/dead-letters/retry: the given dead letters, or all of them without ids. */
export const retryDeadLettersRequestSchema = z.object({ ids: deadLetterIdsInput.optional() });

export const retryDeadLettersResponseSchema = z.object({
  moved: z.number().describe('Dead letters removed'),
  requeued: z
    .number()
    .describe('Of those, readings put back into the upload queue (the rest were already queued or synced)'),
  backlog: backlogViewSchema,
});

export type SessionResponse = z.infer<typeof sessionResponseSchema>;
export type LoginRequest = z.infer<typeof loginRequestSchema>;
export type LoginResponse = z.infer<typeof loginResponseSchema>;
export type CollectionRequest = z.infer<typeof collectionRequestSchema>;
export type CollectionResponse = z.infer<typeof collectionResponseSchema>;
export type SyncNowResponse = z.infer<typeof syncNowResponseSchema>;
export type RetryDeadLettersRequest = z.infer<typeof retryDeadLettersRequestSchema>;
export type RetryDeadLettersResponse = z.infer<typeof retryDeadLettersResponseSchema>;

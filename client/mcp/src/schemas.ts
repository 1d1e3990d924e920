import { z } from 'zod';
import { isTimeZone } from '@meterit/shared';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '@meterit/shared/mcp-server';

// Input pieces shared by several tools. The answers are the API's own schemas from @meterit/shared.

/** An ISO-8601 time with a zone, as an input field. */
export const isoInput = (what: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-11-21T10:00:00Z' })
    .describe(what);

/**
 * A text argument: refused (naming the argument) when it holds what the database cannot store, so the
 * caller hears which argument is wrong instead of a PostgreSQL error.
 */
export const textInput = () => z.string().refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE });

export const siteIdInput = z
  .number()
  .int()
  .min(1)
  .max(2 ** 31 - 1);

export const sitesInput = z
  .array(siteIdInput.describe('A site id (see get_site_status)'))
  .min(1)
  .max(100)
  .optional()
  .describe('Only these sites (1 to 100 site ids); default every site you may see');

/** One meter, as query_readings and get_consumption take it. */
export const meterIdInput = siteIdInput
  .optional()
  .describe('One meter (client-system id from query_meters); default every meter of the sites');

/** One data point name (`what` says which and the default). */
export const dataPointInput = (what: string) => textInput().trim().min(1).max(100).optional().describe(what);

export const tzInput = z
  .string()
  .max(64)
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin or UTC' })
  .default('UTC')
  .describe('IANA time zone for day boundaries, e.g. Europe/Berlin (default UTC)');

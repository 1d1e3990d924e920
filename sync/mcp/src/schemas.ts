import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '@meterit/shared/mcp-server';

// Output schemas shared by several tools. They describe what the tools put in structuredContent.

export const isoTime = z.string().describe('ISO-8601 UTC time');
export const isoTimeOrNull = isoTime.nullable();

export const collectionSchema = z.object({
  collecting: z.boolean().describe('Whether the agent polls the meters now'),
  changed_at: isoTimeOrNull.describe(
    'When someone last started or stopped collection (null: never, it runs by default)',
  ),
  reason: z.string().nullable().describe('The reason given with the last start/stop'),
  interval_s: z.number().describe('Seconds between polls'),
  last_cycle_at: isoTimeOrNull.describe('When the meters were last polled'),
});

export const uplinkSchema = z.object({
  state: z.enum(['up', 'down', 'unknown']).describe('Connection to the client system'),
  since: isoTimeOrNull,
  last_ok_at: isoTimeOrNull,
  last_error: z.object({ code: z.string(), message: z.string(), at: isoTime }).nullable(),
});

export const backlogSchema = z.object({
  count: z.number().describe('Readings waiting to be sent'),
  oldest_at: isoTimeOrNull,
  oldest_age_s: z.number().nullable(),
});

/** A text argument: refused (naming the argument) when it holds what the site database cannot store. */
export const textInput = () => z.string().refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE });

/** An ISO-8601 time with a zone, as an input field. */
export const isoInput = (what: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-11-21T10:00:00Z' })
    .describe(what);

export const reasonInput = textInput()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .describe(
    'Why, in a few words (shown on the site dashboard and in the audit log), e.g. "meter swap on board 2"; at most 200 characters',
  );

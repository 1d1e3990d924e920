import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, refuseViewer, toolError, type ToolDeps } from '../context.js';
import {
  deadLetterIdsInput,
  deadLettersResponseSchema,
  retryDeadLettersResponseSchema,
} from '@meterit/shared/site-contracts';

export const LIST_DEAD_LETTERS = 'list_dead_letters';
export const RETRY_DEAD_LETTERS = 'retry_dead_letters';

const listInput = z.object({
  limit: z
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .describe('Most dead letters to return, newest first (1 to 500, default 50)'),
});
const listOutput = deadLettersResponseSchema.extend({
  by_code: z.record(z.string(), z.number()).describe('How many of the returned ones per refusal code'),
});

export function registerListDeadLettersTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    LIST_DEAD_LETTERS,
    {
      title: 'Dead letters',
      description:
        'Readings the client system refused (e.g. for an unknown meter), newest first, with the refusal code and reason. They never block the queue; ' +
        'once the cause is fixed, retry_dead_letters sends them again.',
      inputSchema: listInput,
      outputSchema: listOutput,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      guarded(LIST_DEAD_LETTERS, async () => {
        const r = await deps.ops.deadLetters(args.limit);
        const byCode: Record<string, number> = {};
        for (const d of r.dead_letters) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
        const first = r.dead_letters[0];
        const text =
          r.count === 0
            ? 'No dead letters: the client system has accepted every reading sent.'
            : `${r.count} dead letters${r.count > r.dead_letters.length ? ` (newest ${r.dead_letters.length} shown)` : ''}. By code: ${Object.entries(
                byCode,
              )
                .map(([c, n]) => `${c} ${n}`)
                .join(', ')}.${first ? ` Newest: ${first.meter}/${first.point} at ${first.ts}: ${first.reason}` : ''}`;
        return answer(text, { count: r.count, by_code: byCode, dead_letters: r.dead_letters });
      }),
  );
}

const retryInput = z.object({
  ids: deadLetterIdsInput.optional().describe('The dead letters to send again (1 to 10000 ids from list_dead_letters)'),
  all: z.boolean().optional().describe('Set true to send every dead letter again (instead of ids)'),
});
const retryOutput = retryDeadLettersResponseSchema;

export function registerRetryDeadLettersTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    RETRY_DEAD_LETTERS,
    {
      title: 'Retry dead letters',
      description:
        'Put refused readings (the given ids, or all with all=true) back into the upload queue; the next sync (or trigger_sync) sends them. ' +
        'Fix the cause first (usually in the client system, e.g. add the unknown meter). Needs the operator role.',
      inputSchema: retryInput,
      outputSchema: retryOutput,
      // Destructive: the dead-letter records (what was refused and why) are removed; a reading refused again comes back as a new one.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args, extra) =>
      refuseViewer(deps, RETRY_DEAD_LETTERS, extra.requestId) ??
      guarded(RETRY_DEAD_LETTERS, async () => {
        if (args.ids && args.all) return toolError('Give either ids or all=true, not both.');
        if (!args.ids && args.all !== true)
          return toolError('Say which dead letters to retry: ids (from list_dead_letters) or all=true.');
        const r = await deps.ops.retryDeadLetters(args.ids);
        const text =
          r.moved === 0
            ? 'No matching dead letters; nothing changed.'
            : `${r.moved} dead letters moved back into the upload queue (${r.requeued} requeued, ${r.moved - r.requeued} were already queued or synced). Backlog now ${r.backlog.count}; the next sync sends them (or call trigger_sync).`;
        return answer(text, r);
      }),
  );
}

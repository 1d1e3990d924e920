import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, refuseViewer, type ToolDeps } from '../context.js';
import { syncNowRequestSchema, syncNowResponseSchema } from '@meterit/shared/site-contracts';

export const TRIGGER_SYNC = 'trigger_sync';

const input = syncNowRequestSchema;
const output = syncNowResponseSchema;

export function registerTriggerSyncTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    TRIGGER_SYNC,
    {
      title: 'Sync now',
      description:
        'Send the queue of unsent readings to the client system now (after a run in progress), oldest first, and answer with what was stored, ' +
        'duplicates, refused readings and the backlog left. A failed run loses nothing: the readings stay queued. Needs the operator role.',
      inputSchema: input,
      outputSchema: output,
      // Resending is harmless: the client system stores each reading once.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (_args, extra) =>
      refuseViewer(deps, TRIGGER_SYNC, extra.requestId) ??
      guarded(TRIGGER_SYNC, async () => {
        const r = await deps.ops.syncNow();
        const x = r.result;
        const text = x.ok
          ? `Sync done in ${x.duration_ms} ms: ${x.sent} readings sent in ${x.batches} batches, ${x.stored} stored, ${x.duplicates} duplicates, ${x.dead_lettered} refused. Backlog now ${r.backlog.count}.`
          : `Sync failed (${x.error_code ?? 'error'}: ${x.error ?? 'unknown'}) after ${x.sent} readings sent; nothing is lost, the backlog of ${r.backlog.count} readings stays queued and is retried automatically. Uplink: ${r.uplink.state}.`;
        return answer(text, r);
      }),
  );
}

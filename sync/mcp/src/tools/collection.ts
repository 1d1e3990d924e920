import { z } from 'zod';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { answer, guarded, refuseViewer, shortTime, type ToolDeps } from '../context.js';
import { collectionViewSchema, reasonInput } from '@meterit/shared/site-contracts';

export const START_COLLECTION = 'start_collection';
export const STOP_COLLECTION = 'stop_collection';

const input = z.object({
  reason: reasonInput
    .min(1)
    .optional()
    .describe(
      'Why, in a few words (shown on the site dashboard and in the audit log), e.g. "meter swap on board 2"; at most 200 characters',
    ),
});
const output = z.object({
  changed: z.boolean().describe('False when collection already was in the asked state'),
  collection: collectionViewSchema,
});

/** start_collection: resume polling the meters; the choice survives agent restarts. */
export function registerStartCollectionTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    START_COLLECTION,
    {
      title: 'Start collection',
      description:
        'Start (resume) polling the meters on the running agent. The choice is stored and survives restarts. Needs the operator role. ' +
        'Safe to repeat: starting a running collection changes nothing.',
      inputSchema: input,
      outputSchema: output,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      refuseViewer(deps, START_COLLECTION, extra.requestId) ??
      guarded(START_COLLECTION, async () => {
        const now = (await deps.ops.status()).collection;
        if (now.collecting)
          return answer(`Collection was already running (every ${now.interval_s} s); nothing changed.`, {
            changed: false,
            collection: now,
          });
        const collection = await deps.ops.startCollection(args.reason ?? 'started by an AI assistant (MCP)');
        return answer(
          `Collection started: the meters are polled every ${collection.interval_s} s from now on (${shortTime(collection.changed_at)}).`,
          { changed: true, collection },
        );
      }),
  );
}

/** stop_collection: stop polling; readings in flight are stored, nothing queued is lost. */
export function registerStopCollectionTool(server: McpServer, deps: ToolDeps): void {
  server.registerTool(
    STOP_COLLECTION,
    {
      title: 'Stop collection',
      description:
        'Stop polling the meters on the running agent (e.g. during work on a meter). Reads in flight finish and are stored; the queue keeps syncing. ' +
        'No readings are taken until start_collection: the data has a gap for that time. The choice survives restarts. Needs the operator role.',
      inputSchema: input,
      outputSchema: output,
      // Destructive in effect: while stopped, readings that would have been taken are never taken.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      refuseViewer(deps, STOP_COLLECTION, extra.requestId) ??
      guarded(STOP_COLLECTION, async () => {
        const now = (await deps.ops.status()).collection;
        if (!now.collecting) {
          return answer(
            `Collection was already stopped since ${shortTime(now.changed_at)}${now.reason ? ` (${now.reason})` : ''}; nothing changed.`,
            { changed: false, collection: now },
          );
        }
        const collection = await deps.ops.stopCollection(args.reason ?? 'stopped by an AI assistant (MCP)');
        return answer(
          `Collection stopped at ${shortTime(collection.changed_at)}${collection.reason ? ` (${collection.reason})` : ''}. No new readings are taken until start_collection; unsent readings keep syncing.`,
          { changed: true, collection },
        );
      }),
  );
}

/// <reference types="node" />
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkOf, firstVisit, hasCharts } from '@meterit/shared/bundle-size';

// What a technician's browser loads before the site dashboard shows how the site is (health, tiles, meters,
// sync log), read from the built dist/ (pnpm build runs before the tests). The charts and the tools load right
// after, each in its own chunk. docs/performance.md has the figures.
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
/** The dashboard as one chunk on 2026-12-04, before the split (vite build: 900.99 kB). */
const ONE_CHUNK = 900_997;

describe('the built site dashboard', () => {
  it('when a technician opens it, then what it loads before showing the site is under half of the one chunk, without the charts, the tools or the dialogs', () => {
    expect(existsSync(DIST), 'build the dashboard first: pnpm --filter @meterit/sync-web build').toBe(true);
    const first = firstVisit(DIST);
    // 490 kB (54 %) with axios; 435 kB (48 %) since both apps call their API with the browser's fetch
    // (@meterit/shared/http). react-dom and MUI's core are most of what is left (docs/performance.md).
    expect(first.bytes).toBeLessThan(ONE_CHUNK / 2);
    expect(hasCharts(DIST, first.files)).toBe(false);
    for (const later of ['ChartPanel', 'BacklogPanel', 'DiscoveryPanel', 'ReadPointPanel', 'CollectionDialog'])
      expect(first.files, `${later} loads after the status`).not.toContain(chunkOf(path.join(DIST, 'assets'), later));
    // The charts are there once their panels load.
    expect(hasCharts(DIST, firstVisit(DIST, ['ChartPanel']).files)).toBe(true);
  });
});

/// <reference types="node" />
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What a first visit downloads, read from the built dist/ (pnpm build runs before the tests): the entry chunk and
// every chunk it or the page imports statically, followed through the `from "./x.js"` of each chunk. Lazy pages
// (import("./x.js")) are not followed. docs/performance.md has the figures before and after the split.
const ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/assets');
/** The single chunk of 2026-12-03 before the split (vite build: 1,084.20 kB); a first page must stay under half. */
const BEFORE_SPLIT = 1_084_204;

function firstVisit(pageChunks: string[]): { bytes: number; files: string[] } {
  const html = readFileSync(path.join(ASSETS, '..', 'index.html'), 'utf8');
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error('dist/index.html names no entry chunk');
  const files = readdirSync(ASSETS);
  const chunk = (name: string) => {
    const f = files.find((x) => x.startsWith(`${name}-`) && x.endsWith('.js'));
    if (!f) throw new Error(`no chunk for ${name} in dist/assets: is it still loaded with React.lazy?`);
    return f;
  };
  const seen = new Set<string>();
  const todo = [entry, ...pageChunks.map(chunk)];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(path.join(ASSETS, f), 'utf8').matchAll(/(?:import|from)\s*"\.\/([^"]+\.js)"/g))
      todo.push(m[1] as string);
  }
  return { bytes: [...seen].reduce((n, f) => n + statSync(path.join(ASSETS, f)).size, 0), files: [...seen] };
}

const hasCharts = (files: string[]) =>
  files.some((f) => readFileSync(path.join(ASSETS, f), 'utf8').includes('MuiChartsSurface'));

describe('the built web app', () => {
  it('when someone opens the login page, then it loads less than half of the app as one chunk did, and no charts', () => {
    expect(existsSync(ASSETS), 'build the web app first: pnpm --filter @meterit/client-web build').toBe(true);
    const login = firstVisit(['LoginPage']);
    expect(login.bytes).toBeLessThan(BEFORE_SPLIT / 2);
    expect(hasCharts(login.files)).toBe(false);
  });

  it('when a logged-in operator opens the dashboard, then the shell and the dashboard load less than half of the app as one chunk did, and the charts wait for a page that draws one', () => {
    const dashboard = firstVisit(['Navigation', 'DashboardPage']);
    // 634 kB (58 %) on 2026-12-03; 525 kB (48 %) once the pager, the search field, the phone's drawer and the theme
    // menu stopped pulling MUI's select, menu and modal stack into the first page (docs/performance.md).
    expect(dashboard.bytes).toBeLessThan(BEFORE_SPLIT / 2);
    expect(hasCharts(dashboard.files)).toBe(false);
    expect(hasCharts(firstVisit(['SitePage']).files)).toBe(true);
  });
});

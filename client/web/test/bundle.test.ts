/// <reference types="node" />
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { firstVisit as firstVisitOf, hasCharts as hasChartsIn } from '@meterit/shared/bundle-size';

// What a first visit downloads, read from the built dist/ (pnpm build runs before the tests): the entry chunk and
// every chunk it or the page imports statically; lazy pages are not followed (@meterit/shared/bundle-size).
// docs/performance.md has the figures before and after the split.
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
/** The single chunk of 2026-12-03 before the split (vite build: 1,084.20 kB); a first page must stay under half. */
const BEFORE_SPLIT = 1_084_204;

const firstVisit = (pages: string[]) => firstVisitOf(DIST, pages);
const hasCharts = (files: string[]) => hasChartsIn(DIST, files);

describe('the built web app', () => {
  it('when someone opens the login page, then it loads less than half of the app as one chunk did, and no charts', () => {
    expect(existsSync(DIST), 'build the web app first: pnpm --filter @meterit/client-web build').toBe(true);
    const login = firstVisit(['LoginPage']);
    expect(login.bytes).toBeLessThan(BEFORE_SPLIT / 2);
    expect(hasCharts(login.files)).toBe(false);
  });

  it('when a logged-in operator opens the dashboard, then the shell and the dashboard load less than half of the app as one chunk did, and the charts wait for a page that draws one', () => {
    const dashboard = firstVisit(['Navigation', 'DashboardPage']);
    // 634 kB (58 %) on 2026-12-03; 525 kB (48 %) once the pager, the search field, the phone's drawer and the theme
    // menu stopped pulling MUI's select, menu and modal stack into the first page; 469 kB (43 %) with the browser's
    // fetch instead of axios (@meterit/shared/http; docs/performance.md).
    expect(dashboard.bytes).toBeLessThan(BEFORE_SPLIT / 2);
    expect(hasCharts(dashboard.files)).toBe(false);
    expect(hasCharts(firstVisit(['SitePage']).files)).toBe(true);
  });
});

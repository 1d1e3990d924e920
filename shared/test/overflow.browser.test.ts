import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, measureOverflow, openContext } from '../src/node/browser-testing.js';

// The sideways check every browser test relies on, against small pages written here, in Debian's Chromium at a
// phone's size as the tests open it (isMobile, touch, 2x). A phone page that is too wide must be caught and named.

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const HEAD = '<meta name="viewport" content="width=device-width, initial-scale=1"><style>body{margin:0}</style>';

async function phonePage(body: string): Promise<Page> {
  const context = await openContext(browser, 'phone', 'light');
  const page = await context.newPage();
  await page.setContent(`<!doctype html><html><head>${HEAD}</head><body>${body}</body></html>`);
  return page;
}

const WIDE_ROW =
  '<table id="users" style="border-spacing:0"><tr><th style="padding:0;min-width:407px">Name</th></tr></table>';

describe('the sideways check at a 390 px phone', () => {
  it('when a table row is 407 px wide, then it finds 17 px past the edge and names the table, though innerWidth grew with it', async () => {
    const page = await phonePage(WIDE_ROW);
    try {
      // What the old check compared: the phone's window widens with the page, so their difference stays 0.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')).toBe(0);
      const found = await measureOverflow(page);
      expect(found.px).toBe(17);
      expect(found.elements).toEqual(['table#users: 407 px wide, to 407 px']);
    } finally {
      await page.context().close();
    }
  });

  it('when the wide table sits in a box that scrolls sideways, then the box is named as scrolling', async () => {
    const page = await phonePage(`<div data-testid="box" style="overflow-x:auto">${WIDE_ROW}</div>`);
    try {
      const found = await measureOverflow(page);
      expect(found.px).toBe(0);
      expect(found.elements).toEqual(['div[data-testid=box]: scrolls sideways, 407 px in 390']);
    } finally {
      await page.context().close();
    }
  });

  it('when a hidden header row is placed absolutely at 100 % from 17 px, then it is found though its table scrolls in a box', async () => {
    // As on main before the fix: the row escapes its table's scrolling box, whose containing block it is not.
    const row = '<tr id="hidden-head" style="position:absolute;width:100%;clip-path:inset(50%)"><th>Name</th></tr>';
    const page = await phonePage(
      `<div style="position:relative;padding-left:17px"><div style="overflow-x:auto"><table style="border-spacing:0">${row}</table></div></div>`,
    );
    try {
      expect(await measureOverflow(page)).toEqual({ px: 17, elements: ['tr#hidden-head: 390 px wide, to 407 px'] });
    } finally {
      await page.context().close();
    }
  });

  it('when a dialog has set the body to hidden overflow, then what is too wide inside still counts', async () => {
    const page = await phonePage(`<div role="dialog" style="position:fixed;left:0;top:0;width:420px">Wide</div>`);
    try {
      await page.evaluate('document.body.style.overflow = "hidden"');
      expect(await measureOverflow(page)).toEqual({ px: 30, elements: ['div: 420 px wide, to 420 px'] });
    } finally {
      await page.context().close();
    }
  });

  it('when everything wraps within the width, then it finds nothing', async () => {
    const page = await phonePage(
      '<p>Plant West · Main incomer · 1,483,440 kWh</p><table><tr><td>Name</td></tr></table>',
    );
    try {
      expect(await measureOverflow(page)).toEqual({ px: 0, elements: [] });
    } finally {
      await page.context().close();
    }
  });
});

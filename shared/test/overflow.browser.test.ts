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

/** Opens `body` in a fresh phone context, gives the page to `look`, and closes the context whatever happens. */
async function onPhone<T>(body: string, look: (page: Page) => Promise<T>): Promise<T> {
  const context = await openContext(browser, 'phone', 'light');
  try {
    const page = await context.newPage();
    await page.setContent(`<!doctype html><html><head>${HEAD}</head><body>${body}</body></html>`);
    return await look(page);
  } finally {
    await context.close();
  }
}

const WIDE_ROW =
  '<table id="users" style="border-spacing:0"><tr><th style="padding:0;min-width:407px">Name</th></tr></table>';

describe('the sideways check at a 390 px phone', () => {
  it('when a table row is 407 px wide, then it finds 17 px past the edge and names the table, though innerWidth grew with it', async () => {
    const [oldCheck, found] = await onPhone(WIDE_ROW, async (page) => [
      // What the old check compared: the phone's window widens with the page, so their difference stays 0.
      await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
      await measureOverflow(page),
    ]);
    expect(oldCheck).toBe(0);
    expect(found).toEqual({ px: 17, elements: ['table#users: 407 px wide, to 407 px'] });
  });

  it('when the wide table sits in a box that scrolls sideways, then the box is named as scrolling', async () => {
    const found = await onPhone(`<div data-testid="box" style="overflow-x:auto">${WIDE_ROW}</div>`, measureOverflow);
    expect(found).toEqual({ px: 0, elements: ['div[data-testid=box]: scrolls sideways, 407 px in 390'] });
  });

  it('when a hidden header row is placed absolutely at 100 % from 17 px, then it is found though its table scrolls in a box', async () => {
    // As on main before the fix: the row escapes its table's scrolling box, whose containing block it is not.
    const row = '<tr id="hidden-head" style="position:absolute;width:100%;clip-path:inset(50%)"><th>Name</th></tr>';
    const table = `<table style="border-spacing:0">${row}</table>`;
    const found = await onPhone(
      `<div style="position:relative;padding-left:17px"><div style="overflow-x:auto">${table}</div></div>`,
      measureOverflow,
    );
    expect(found).toEqual({ px: 17, elements: ['tr#hidden-head: 390 px wide, to 407 px'] });
  });

  it('when a dialog has set the body to hidden overflow, then what is too wide inside still counts', async () => {
    const dialog = '<div role="dialog" style="position:fixed;left:0;top:0;width:420px">Wide</div>';
    const found = await onPhone(dialog, async (page) => {
      await page.evaluate('document.body.style.overflow = "hidden"');
      return measureOverflow(page);
    });
    expect(found).toEqual({ px: 30, elements: ['div: 420 px wide, to 420 px'] });
  });

  it('when everything wraps within the width, then it finds nothing', async () => {
    const page = '<p>Plant West · Main incomer · 1,483,440 kWh</p><table><tr><td>Name</td></tr></table>';
    expect(await onPhone(page, measureOverflow)).toEqual({ px: 0, elements: [] });
  });
});

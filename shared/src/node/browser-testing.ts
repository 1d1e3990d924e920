import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

// One way for every real-browser test to start Debian's Chromium, look at a page at the two sizes people use
// (a laptop and a phone) in light and dark, and check it the way a user and a screen reader would.

export const CHROMIUM = '/usr/bin/chromium';

export const VIEWPORTS = {
  laptop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;
export type ColorScheme = 'light' | 'dark';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A browser context at one of the two sizes, in light or dark (what `prefers-color-scheme` answers). */
export function openContext(
  browser: Browser,
  viewport: ViewportName = 'laptop',
  colorScheme: ColorScheme = 'light',
  timezoneId?: string,
): Promise<BrowserContext> {
  return browser.newContext({
    viewport: VIEWPORTS[viewport],
    colorScheme,
    ...(viewport === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    ...(timezoneId ? { timezoneId } : {}),
  });
}

/**
 * Opens a select (a combobox such as MUI's) and picks one of its options by name, as a user does. A click that lands
 * while the page is still laying out (a lazy page arriving, a panel loading on a slow machine) may not open the list:
 * then it opens it again, up to `attempts` times, before it fails naming the option.
 */
export async function chooseOption(
  page: Page,
  field: Locator,
  option: string,
  { exact = true, attempts = 4 }: { exact?: boolean; attempts?: number } = {},
): Promise<void> {
  const choice = page.getByRole('option', { name: option, exact });
  for (let i = 1; ; i++) {
    await field.click();
    try {
      await choice.waitFor({ timeout: 5_000 });
      break;
    } catch (err) {
      if (i >= attempts)
        throw new Error(`the option "${option}" did not appear after ${attempts} tries`, { cause: err });
      await page.keyboard.press('Escape');
    }
  }
  await choice.click();
}

/** Serious and critical accessibility violations on the page as it is now (axe-core), as short lines. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      // Where: the element's selector and the start of its HTML, so the offending element can be found.
      const where = v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.html.slice(0, 80)}`);
      return `${v.impact} ${v.id}: ${v.help} [${where.join(' | ')}]${v.nodes.length > 3 ? ` +${v.nodes.length - 3}` : ''}`;
    });
}

// Measured against the width the test opened the page at, not `window.innerWidth`: on a phone (`isMobile`) Chromium
// widens the layout to fit a page that is too wide and zooms out, so innerWidth grows with the page and
// "scrollWidth − innerWidth" stays 0 however far it overflows. The page's own width without a vertical scrollbar
// (documentElement.clientWidth) counts when it is the smaller, as it is on a laptop with a classic scrollbar.
// A string, so this Node-side package needs no DOM types: it runs in the page, called with that width.
const MEASURE_OVERFLOW = `(opened) => {
  const width = Math.min(opened, document.documentElement.clientWidth || opened);
  const clips = (el) => el !== document.body && getComputedStyle(el).overflowX !== 'visible';
  // The ancestor whose overflow hides what of el is past the edge, if any. An absolutely placed element escapes the
  // ancestors below its containing block (its offsetParent), a fixed one all: the phones' hidden table header row,
  // 100 % wide from 17 px, escaped the table's scrolling box that way and stretched the page.
  const clipper = (el) => {
    const position = getComputedStyle(el).position;
    if (position === 'fixed') return null;
    let a = position === 'absolute' ? el.offsetParent : el.parentElement;
    for (; a && a !== document.body; a = a.parentElement) if (clips(a)) return a;
    return null;
  };
  const name = (el) => {
    const testId = el.getAttribute('data-testid');
    const classes = typeof el.className === 'string' ? el.className.split(/\\s+/) : [];
    const own = classes.filter((c) => c && !c.startsWith('css-')).slice(0, 2);
    const id = testId ? '[data-testid=' + testId + ']' : el.id ? '#' + el.id : '';
    return el.tagName.toLowerCase() + id + own.map((c) => '.' + c).join('');
  };
  const found = [];
  const named = [];
  let right = document.documentElement.scrollWidth;
  // In document order, so the outermost element past the edge is named and its children, which follow it, are not.
  for (const el of document.body.querySelectorAll('*')) {
    if (el.ownerSVGElement || named.some((n) => n.contains(el))) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && box.right > width + 0.5 && !clipper(el)) {
      found.push(name(el) + ': ' + Math.round(box.width) + ' px wide, to ' + Math.round(box.right) + ' px');
      named.push(el);
      right = Math.max(right, box.right);
      continue;
    }
    const overflowX = getComputedStyle(el).overflowX;
    if ((overflowX === 'auto' || overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      found.push(name(el) + ': scrolls sideways, ' + el.scrollWidth + ' px in ' + el.clientWidth);
      named.push(el);
    }
  }
  return { px: Math.max(0, Math.round(right - width)), elements: found };
}`;

export interface SidewaysOverflow {
  /** How many CSS px the page reaches past the right edge of the width the test opened it at: 0 means it fits. */
  px: number;
  /** The outermost elements that reach past that edge or scroll sideways inside it, to say where to look. */
  elements: string[];
}

/** What reaches past the right edge of the window the page was opened in (see MEASURE_OVERFLOW for why not innerWidth). */
export async function measureOverflow(page: Page): Promise<SidewaysOverflow> {
  const opened = page.viewportSize()?.width ?? (await page.evaluate<number>('window.innerWidth'));
  return page.evaluate<SidewaysOverflow>(`(${MEASURE_OVERFLOW})(${opened})`);
}

/** How far the page scrolls sideways past the width it was opened at: 0 means everything fits the window. */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return (await measureOverflow(page)).px;
}

/**
 * Saves a full-page screenshot to `dir/name.png` after animations settle; returns the file. In CSS pixels: a
 * phone context draws at twice the density, and a tall page at 2x is four times the pixels to encode for no
 * more to see.
 */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await page.waitForTimeout(300);
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, scale: 'css' });
  return file;
}

export interface PageCheck {
  /** The page's name, as given. */
  name: string;
  viewport: ViewportName;
  colorScheme: ColorScheme;
  file: string;
  /** CSS px past the right edge of the opened width (0: fits). */
  overflow: number;
  /** What reaches past that edge or scrolls sideways inside it (empty: nothing). */
  overflowing: string[];
  problems: string[];
}

/** One page to look at: where it is, what to call its screenshots, and what it must show before it is judged. */
export interface PageToCheck {
  url: string;
  name: string;
  ready: (page: Page) => Promise<void>;
}

/**
 * Opens each page at both sizes in light and dark (after `prepare`, e.g. logging in, once per size and scheme, and
 * the page's `ready`, waiting for what it must show), screenshots each as `dir/<name>-<viewport>-<scheme>.png`, and
 * reports sideways overflow and serious accessibility problems for each. Tests assert on the result. Give one page
 * (`url`, `name`, `ready`) or several (`pages`): several share one login per size and scheme.
 */
export async function checkEverywhere(
  browser: Browser,
  opts: { dir: string; prepare?: (page: Page) => Promise<void> } & (PageToCheck | { pages: readonly PageToCheck[] }),
): Promise<PageCheck[]> {
  const pages = 'pages' in opts ? opts.pages : [opts];
  const out: PageCheck[] = [];
  for (const viewport of Object.keys(VIEWPORTS) as ViewportName[]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await openContext(browser, viewport, colorScheme);
      try {
        const page = await context.newPage();
        await opts.prepare?.(page);
        for (const p of pages) {
          await page.goto(p.url);
          await p.ready(page);
          const file = await screenshot(page, opts.dir, `${p.name}-${viewport}-${colorScheme}`);
          const overflow = await measureOverflow(page);
          out.push({
            name: p.name,
            viewport,
            colorScheme,
            file,
            overflow: overflow.px,
            overflowing: overflow.elements,
            problems: await accessibilityProblems(page),
          });
        }
      } finally {
        await context.close();
      }
    }
  }
  return out;
}

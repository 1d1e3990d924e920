import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, openContext, screenshot } from '@meterit/shared/browser-testing';

// The README's screenshots, taken from a running `pnpm demo` as a reader of the README sees it: the operators' app
// (http://127.0.0.1:3001) and the site dashboard (http://127.0.0.1:3002), at a laptop's 1440×900 and a phone's
// 390×844, in CSS pixels (small files). Writes docs/screenshots/<name>.png. On a demo without it, adds the site
// "Warehouse North" for the picture of a new site's key, and deactivates it again.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = path.join(ROOT, 'docs/screenshots');
const CLIENT = process.env.DEMO_CLIENT_URL ?? 'http://127.0.0.1:3001';
const DASHBOARD = process.env.DEMO_DASHBOARD_URL ?? 'http://127.0.0.1:3002';
const NEW_SITE = 'Warehouse North';

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof openContext>>['newPage']>>;

/** The demo's admin: SCREENSHOT_EMAIL / SCREENSHOT_PASSWORD, else the one the demo generated on its first start. */
function admin(): { email: string; password: string } {
  const { SCREENSHOT_EMAIL: email, SCREENSHOT_PASSWORD: password } = process.env;
  if (email && password) return { email, password };
  const file = path.join(process.env.DEMO_DATA_DIR ?? path.join(ROOT, '.data'), 'client/initial-admin.json');
  return JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string };
}

/** What the page shows has loaded: no request in flight, no spinner, no "Loading" line. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  for (let i = 0; i < 60; i++) {
    const busy = (await page.getByRole('progressbar').count()) + (await page.getByText(/^Loading/).count());
    if (busy === 0) break;
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(800);
}

async function logIn(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto(CLIENT);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  try {
    await page.locator('[data-testid^="site-row-"], input[name="current_password"]').first().waitFor();
  } catch {
    throw new Error(`login as ${who.email} failed: ${await page.getByRole('alert').first().textContent()}`);
  }
  if ((await page.locator('[data-testid^="site-row-"]').count()) === 0)
    throw new Error(
      'the demo asks for a new password at the first login: log in once at ' +
        `${CLIENT}, choose one, then run with SCREENSHOT_EMAIL and SCREENSHOT_PASSWORD`,
    );
}

/** The API as the admin, for what the pictures need around them (a free site name, then deactivating it). */
async function apiAs(who: { email: string; password: string }) {
  const login = await fetch(`${CLIENT}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!login.ok) throw new Error(`login as ${who.email} failed: ${login.status} ${await login.text()}`);
  const { access_token: token } = (await login.json()) as { access_token: string };
  return async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${CLIENT}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/** The new site's key dialog; the site is deactivated afterwards, so later dashboards do not show it. */
async function newSiteKey(page: Page, who: { email: string; password: string }, shot: string): Promise<void> {
  const call = await apiAs(who);
  const sites = async () =>
    (await call<{ sites: { site_id: number; site_name: string }[] }>('GET', '/api/sites?include_inactive=true')).sites;
  if ((await sites()).some((s) => s.site_name === NEW_SITE)) {
    // A second one would stand in the list behind the dialog (and a third the next time): a fresh demo takes it.
    process.stdout.write(`${shot}.png kept: "${NEW_SITE}" is there from an earlier run\n`);
    return;
  }
  await page.goto(`${CLIENT}/admin/sites`);
  await page.getByRole('button', { name: 'New site' }).click();
  await page.getByLabel('Site name').fill(NEW_SITE);
  await page.getByLabel('Location (optional)').fill('Hamburg');
  await page.getByRole('button', { name: 'Create site' }).click();
  await page.getByLabel('Site API key').waitFor();
  await screenshot(page, DOCS, shot);
  await page.getByRole('button', { name: 'Done' }).click();
  const made = (await sites()).find((s) => s.site_name === NEW_SITE);
  if (made) await call('PATCH', `/api/sites/${made.site_id}`, { is_active: false });
}

async function main(): Promise<void> {
  const who = admin();
  const browser = await launchChromium();
  try {
    const laptop = await (await openContext(browser, 'laptop', 'light')).newPage();
    await logIn(laptop, who);
    await settled(laptop);
    await screenshot(laptop, DOCS, 'client-dashboard');
    await laptop.locator('[data-testid^="site-row-"] a').first().click();
    await laptop.getByTestId('readings-chart').waitFor();
    // A demo holds minutes or hours of readings, not days: its charts over the last hour.
    await laptop.goto(`${laptop.url().split('?')[0]}?range=1h&conn=1h`);
    await laptop.getByTestId('readings-chart').waitFor();
    await settled(laptop);
    await screenshot(laptop, DOCS, 'client-site');
    await laptop.goto(`${CLIENT}/energy`);
    await settled(laptop);
    await screenshot(laptop, DOCS, 'client-energy');
    await newSiteKey(laptop, who, 'client-site-created-key');

    const phone = await (await openContext(browser, 'phone', 'dark')).newPage();
    await logIn(phone, who);
    await settled(phone);
    await screenshot(phone, DOCS, 'client-dashboard-phone-dark');

    for (const [size, name] of [
      ['laptop', 'site-dashboard-desktop'],
      ['phone', 'site-dashboard-phone'],
    ] as const) {
      const page = await (await openContext(browser, size, 'light')).newPage();
      await page.goto(DASHBOARD);
      await page.getByTestId('chart').locator('svg path').first().waitFor({ timeout: 30_000 });
      await settled(page);
      await screenshot(page, DOCS, name);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(`screenshots written to ${DOCS}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

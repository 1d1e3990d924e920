import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { CHROMIUM, screenshot } from '@meterit/shared/browser-testing';
import { createTestDatabase, freePort } from '@meterit/shared/testing';
import { ROOT, startApiProcess, type Proc } from './processes.js';

// The plumbing of the browser tests against the API process serving the built web app: starting it, and logging in
// through the login page as a person does. What each test looks at stays in the test.

export interface Credentials {
  email: string;
  password: string;
}

/** Where the browser tests leave their screenshots. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export interface WebApi {
  url: string;
  proc: Proc;
  /** Its database, for the CLI (createSiteWithCli) and direct queries. */
  databaseUrl: string;
  /** What it was started with, to start it again on the same port after stopping it. */
  port: number;
  env: Record<string, string>;
}

/**
 * The API process on a fresh database named `database`, serving the built web app, with `admin` as its first admin
 * and `env` on top (warnings only in its log). It fails at once, saying what to do, when the web app is not built or
 * Chromium is not installed.
 */
export async function startWebApi(o: {
  database: string;
  admin: Credentials;
  env?: Record<string, string>;
}): Promise<WebApi> {
  if (!existsSync(path.join(ROOT, 'client/web/dist/index.html')))
    throw new Error('build the web app first: pnpm --filter @meterit/client-web build');
  expect(existsSync(CHROMIUM), "install Debian's chromium (apt-get install chromium); .ci/run does").toBe(true);
  const databaseUrl = await createTestDatabase(inject('pg'), o.database);
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl,
    ADMIN_EMAIL: o.admin.email,
    ADMIN_PASSWORD: o.admin.password,
    LOG_LEVEL: 'warn',
    ...o.env,
  };
  return { ...(await startApiProcess(env, port)), databaseUrl, port, env };
}

/** The shell is up: the user's e-mail in the app bar on a laptop, the menu button on a phone (the e-mail lives in the drawer there). */
export function shellReady(page: Page): Promise<void> {
  return page.getByRole('button', { name: 'Open navigation' }).or(page.getByTestId('current-user')).first().waitFor();
}

/** Fills the login form on the page as it is and presses "Log in" (what follows is the test's to wait for). */
export async function submitLogin(page: Page, creds: Credentials): Promise<void> {
  await page.getByLabel('E-mail').fill(creds.email);
  await page.getByLabel('Password').fill(creds.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Opens `url` (the app shows its login page there), logs in, and waits for the shell. */
export async function logIn(page: Page, url: string, creds: Credentials): Promise<void> {
  await page.goto(url);
  await submitLogin(page, creds);
  await shellReady(page);
}

/** A full-page screenshot `client-<name>.png` among the artifacts (after animations settle). */
export function shot(page: Page, name: string): Promise<string> {
  return screenshot(page, ARTIFACTS, `client-${name}`);
}

/** With UPDATE_SCREENSHOTS set, copies the artifacts `client-<name>.png` to docs/screenshots for the README. */
export function publishScreenshots(names: readonly string[]): void {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  for (const name of names)
    copyFileSync(path.join(ARTIFACTS, `client-${name}.png`), path.join(ROOT, 'docs/screenshots', `client-${name}.png`));
}

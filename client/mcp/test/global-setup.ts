import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from '@meterit/shared/testing';

// One real PostgreSQL for the whole run; each test file creates its own databases on it.
let server: TestPostgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startTestPostgres();
  const { stop: _stop, ...connection } = server;
  project.provide('pg', connection);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: { host: string; port: number; user: string; password: string };
  }
}

import type { TestPostgresConnection } from '@meterit/shared/testing';

// One real PostgreSQL for the whole run (the setup shared by every package's tests).
export { setup, teardown } from '@meterit/shared/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: TestPostgresConnection;
  }
}

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger, openDatabase, type Database } from '@meterit/shared/node';
import { createTestDatabase } from '@meterit/shared/testing';
import { AgentStateRepository } from '../src/collector/agent-state-repository.js';
import { siteMigrations } from '../src/db/migrations/index.js';
import { BacklogHistory } from '../src/site/backlog-history.js';
import { SiteIdentityKeeper } from '../src/site/site-identity.js';

// The agent's small memories kept in the site database (agent_state): the sampled backlog of the day, and the
// site's name from the client system. Real PostgreSQL; "restarts" are new objects over the same table.
const logger = createLogger({ service: 'test', silent: true });
const MINUTE = 60_000;
let db: Database;
let state: AgentStateRepository;

beforeAll(async () => {
  db = await openDatabase({
    url: await createTestDatabase(inject('pg'), 'backlog_history'),
    migrations: siteMigrations,
    logger,
  });
  state = new AgentStateRepository(db.knex);
});

afterAll(async () => {
  await db?.close();
});

describe('the sampled backlog history', () => {
  it('when the queue is read more often than the sample spacing, then one sample per spacing is kept, and nothing older than 24 hours', async () => {
    const h = new BacklogHistory({ spacingMs: MINUTE, store: state, logger });
    const t0 = Date.now() - 25 * 3600_000;
    h.record(t0, 5);
    h.record(t0 + 10_000, 6); // within a minute of the last: not kept
    h.record(t0 + MINUTE, 7);
    expect(h.since(0).map((s) => s.count)).toEqual([5, 7]);
    h.record(t0 + 25 * 3600_000, 9); // a day and an hour later: the first two are older than 24 h
    expect(h.since(0).map((s) => s.count)).toEqual([9]);
    await h.flush(t0 + 25 * 3600_000);
    expect(await state.get('backlog_history')).toEqual([[t0 + 25 * 3600_000, 9]]);
  });

  it('when the agent stops and starts again, then the saved day comes back; a damaged entry is an empty history', async () => {
    const now = Date.now();
    const first = new BacklogHistory({ spacingMs: MINUTE, store: state, logger });
    for (let i = 10; i >= 0; i -= 1) first.record(now - i * MINUTE, 100 - i);
    await first.flush(now);

    const again = new BacklogHistory({ spacingMs: MINUTE, store: state, logger });
    await again.load(now + 1000);
    expect(again.since(0)).toEqual(first.since(0));
    expect(again.since(now - 2 * MINUTE).map((s) => s.count)).toEqual([98, 99, 100]);

    await state.set('backlog_history', { not: 'a list' });
    const damaged = new BacklogHistory({ spacingMs: MINUTE, store: state, logger });
    await damaged.load(now);
    expect(damaged.since(0)).toEqual([]);
  });
});

describe("the site's name from the client system", () => {
  it('when the client system names the site, then it is kept across restarts and updated when renamed', async () => {
    const keeper = new SiteIdentityKeeper({ store: state, logger });
    await keeper.load();
    expect(keeper.current).toBeNull();
    await keeper.remember({ id: 7, name: 'Harbour depot' });
    const afterRestart = new SiteIdentityKeeper({ store: state, logger });
    await afterRestart.load();
    expect(afterRestart.current).toEqual({ id: 7, name: 'Harbour depot' });
    await afterRestart.remember({ id: 7, name: 'Harbour depot North' });
    const again = new SiteIdentityKeeper({ store: state, logger });
    await again.load();
    expect(again.current).toEqual({ id: 7, name: 'Harbour depot North' });
  });
});

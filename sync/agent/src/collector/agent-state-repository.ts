import type { Knex } from 'knex';

/** Whether collection runs, as a technician last chose it; survives restarts. */
export interface CollectionState {
  collecting: boolean;
  changedAt: string;
  reason: string | null;
}

/** Small named settings the agent keeps across restarts (table agent_state). */
export class AgentStateRepository {
  constructor(private readonly knex: Knex) {}

  async get<T>(key: string): Promise<T | null> {
    const row: { value: T } | undefined = await this.knex('agent_state').where({ key }).first('value');
    return row ? row.value : null;
  }

  async set<T>(key: string, value: T): Promise<void> {
    await this.knex('agent_state')
      .insert({ key, value: JSON.stringify(value), updated_at: new Date() })
      .onConflict('key')
      .merge(['value', 'updated_at']);
  }

  getCollection(): Promise<CollectionState | null> {
    return this.get<CollectionState>('collection');
  }

  setCollection(state: CollectionState): Promise<void> {
    return this.set('collection', state);
  }
}

import type { Logger } from '@meterit/shared/node';
import type { StateStore } from './backlog-history.js';

const STATE_KEY = 'site';

export interface SiteIdentity {
  id: number;
  name: string;
}

/**
 * The site as the client system names it: learned from each configuration fetch (GET /api/sync/config answers
 * the site with its meters) and kept in agent_state, so the dashboard names the site offline and after a restart.
 */
export class SiteIdentityKeeper {
  private site: SiteIdentity | null = null;

  constructor(private readonly o: { store: StateStore; logger: Logger }) {}

  get current(): SiteIdentity | null {
    return this.site;
  }

  async load(): Promise<void> {
    const saved = await this.o.store.get<Partial<SiteIdentity>>(STATE_KEY).catch(() => null);
    if (saved && typeof saved.id === 'number' && typeof saved.name === 'string')
      this.site = { id: saved.id, name: saved.name };
  }

  /** The client system's answer; saved only when it changed. */
  async remember(site: SiteIdentity): Promise<void> {
    if (this.site?.id === site.id && this.site.name === site.name) return;
    this.o.logger.info('site identity from the client system', { site_id: site.id, site_name: site.name });
    this.site = { id: site.id, name: site.name };
    await this.o.store.set(STATE_KEY, this.site);
  }
}

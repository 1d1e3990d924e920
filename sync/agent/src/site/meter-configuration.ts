import type { MeterConfig, RegisterMetersResponse, SyncConfigResponse } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';

/**
 * The meter list: bootstrapped from meters.json into the local cache, refreshed from the client
 * system (the cache keeps collection going offline), and handed to the poll loop.
 */
export class MeterConfiguration {
  private registered = false;

  constructor(
    private readonly d: {
      api: {
        registerMeters(meters: MeterConfig[]): Promise<RegisterMetersResponse>;
        getConfig(): Promise<SyncConfigResponse>;
      };
      cache: {
        addMissing(meters: MeterConfig[], source: 'file'): Promise<number>;
        replaceAll(meters: MeterConfig[]): Promise<unknown>;
        list(): Promise<MeterConfig[]>;
      };
      poller: { getMeters(): MeterConfig[]; setMeters(meters: MeterConfig[]): void };
      /** meters.json, or null when there is none. */
      fileMeters: MeterConfig[] | null;
      metersFile: string;
      /** After an outage the client system hears of it before anything else. */
      outage: { reportIfDown(): Promise<void> };
      /** Told the site's id and name from each configuration the client system answers. */
      site?: { remember(site: { id: number; name: string }): Promise<void> };
      logger: Logger;
    },
  ) {}

  /** meters.json seeds the local cache; the poll loop starts from the cache. */
  async bootstrap(): Promise<void> {
    const { fileMeters, logger } = this.d;
    if (fileMeters) {
      const added = await this.d.cache.addMissing(fileMeters, 'file');
      logger.info('meters.json loaded', { file: this.d.metersFile, meters: fileMeters.length, newInCache: added });
    }
    this.d.poller.setMeters(await this.d.cache.list());
    if (this.d.poller.getMeters().length === 0) {
      logger.warn('no meters configured yet: add them in the client system or in meters.json', {
        file: this.d.metersFile,
      });
    }
  }

  /**
   * Meters only known locally are registered once, before any upload, so the client system
   * knows every meter a reading can name.
   */
  async ensureRegistered(): Promise<void> {
    const { fileMeters } = this.d;
    if (this.registered || !fileMeters || fileMeters.length === 0) return;
    const r = await this.d.api.registerMeters(fileMeters);
    if (r.created.length > 0) this.d.logger.info('registered meters with the client system', { created: r.created });
    this.registered = true;
  }

  /** The client system's meter list replaces the cache (unless it is empty and meters.json has some). */
  async refresh(): Promise<void> {
    await this.d.outage.reportIfDown();
    await this.ensureRegistered();
    const remote = await this.d.api.getConfig();
    await this.d.site?.remember(remote.site);
    if (remote.meters.length > 0 || !this.d.fileMeters) {
      await this.d.cache.replaceAll(remote.meters);
      const before = JSON.stringify(this.d.poller.getMeters());
      const meters = await this.d.cache.list();
      this.d.poller.setMeters(meters);
      if (JSON.stringify(meters) !== before)
        this.d.logger.info('meter configuration updated from the client system', {
          meters: meters.length,
          version: remote.config_version,
        });
    }
  }
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@meterit/shared/node';
import { loadConfig } from '../src/config.js';

describe('when the API starts with no configuration', () => {
  it('then it uses the documented defaults and an embedded database under <repo>/.data/client', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3001,
      host: '127.0.0.1',
      nodeEnv: 'development',
      syncRateLimitPerMinute: 600,
      bodyLimit: '10mb',
    });
    expect(c.database).toEqual({
      kind: 'embedded',
      dataDir: path.resolve(import.meta.dirname, '../../../.data/client'),
      port: 5433,
      database: 'meterit_client',
    });
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });
});

describe('when it starts in production', () => {
  it('then a missing JWT secret stops it, and every bad key is listed at once', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'abc', BODY_LIMIT: 'lots' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/JWT_SECRET/);
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/BODY_LIMIT/);
  });

  it('then /metrics needs a scrape token: without METRICS_TOKEN, or with a short one, it refuses to start and names it', () => {
    const strong = { NODE_ENV: 'production', JWT_SECRET: 'k2J9xQ7vR4mT8pW1zL6nB3cY5hF0dS2gA7eU' };
    expect(() => loadConfig(strong)).toThrow(/METRICS_TOKEN: required in production/);
    expect(() => loadConfig({ ...strong, METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: must be at least 16 characters/,
    );
    // Outside production it may stay unset: /metrics is then open.
    expect(loadConfig({ NODE_ENV: 'development' }).metricsToken).toBeUndefined();
  });

  it('then a short or default secret is refused', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(40) })).toThrow(/low-entropy/);
  });

  it('then a strong secret is accepted and it listens on all interfaces', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'k2J9xQ7vR4mT8pW1zL6nB3cY5hF0dS2gA7eU',
      METRICS_TOKEN: 'scrape-Zq81mK3vT7pX0aLd',
      DATABASE_URL: 'postgres://u:p@db:5432/meterit_client',
    });
    expect(c.host).toBe('0.0.0.0');
    expect(c.metricsToken).toBe('scrape-Zq81mK3vT7pX0aLd');
    expect(c.database).toEqual({ kind: 'url', url: 'postgres://u:p@db:5432/meterit_client' });
  });
});

describe('when the original POSTGRES_* variables are set', () => {
  it('then they are used instead of the embedded database', () => {
    const c = loadConfig({ POSTGRES_HOST: 'db', POSTGRES_PASSWORD: 'pw' });
    expect(c.database).toEqual({
      kind: 'connection',
      host: 'db',
      port: 5432,
      database: 'meterit_client',
      user: 'postgres',
      password: 'pw',
    });
  });
});

describe('when the outage threshold of the connectivity history is configured', () => {
  it('then OUTAGE_GAP_SECONDS defaults to 150 s, takes whole seconds, and a bad value is named', () => {
    expect(loadConfig({}).outageGapSeconds).toBe(150);
    expect(loadConfig({ OUTAGE_GAP_SECONDS: '90' }).outageGapSeconds).toBe(90);
    expect(() => loadConfig({ OUTAGE_GAP_SECONDS: 'soon' })).toThrow(/OUTAGE_GAP_SECONDS/);
    expect(() => loadConfig({ OUTAGE_GAP_SECONDS: '0' })).toThrow(/OUTAGE_GAP_SECONDS/);
  });
});

import knexFactory from 'knex';
import { appFor, loadConfig } from '@meterit/client-api';
import { createLogger } from '@meterit/shared/node';
import {
  createLocalApp,
  loadConfig as loadAgentConfig,
  localApiSettings,
  type McpAuditLog,
  type SiteControl,
  type SiteReadModel,
} from '@meterit/sync-agent/dist/index.js';

export interface Route {
  /** Upper case; ALL for a route that answers every method (router.all). */
  method: string;
  path: string;
}

/** The parts of an Express 5 (router 2) layer this reads. */
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

function collect(stack: Layer[], prefix: string, out: Route[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? (layer.route.path as unknown[]) : [layer.route.path];
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (!on) continue;
        for (const p of paths)
          out.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path: `${prefix}${String(p)}` });
      }
    } else if (layer.handle?.stack) {
      // A mounted router: its routes sit under the mount path (our routers are mounted at the root).
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      collect(layer.handle.stack, `${prefix}${mount}`, out);
    }
  }
}

/**
 * Every route (method and path) the client API serves with its default configuration, read from the
 * Express router of the very app `startClientApi` listens with. The database is never connected:
 * building the app queries nothing.
 */
export async function clientApiRoutes(): Promise<Route[]> {
  const knex = knexFactory({ client: 'pg' });
  try {
    const app = appFor(loadConfig({ NODE_ENV: 'test' }), {
      knex,
      logger: createLogger({ service: 'route-list', silent: true }),
      onAlerts: () => undefined,
    });
    const out: Route[] = [];
    collect((app as unknown as { router: { stack: Layer[] } }).router.stack, '', out);
    return out;
  } finally {
    await knex.destroy();
  }
}

/**
 * Every route the site agent's local API serves (with MCP on), read from the Express router of the app the agent
 * listens with. Building it reads only the local API's settings; the site's ports are never called, so stand-ins
 * without a site behind them are enough.
 */
export async function agentLocalApiRoutes(): Promise<Route[]> {
  const config = loadAgentConfig({
    CLIENT_API_URL: 'http://127.0.0.1:1/api',
    CLIENT_API_KEY: 'route-list-not-a-real-key',
    LOCAL_API_TOKEN: 'route-list-token-0123456789',
    MCP_ENABLED: 'true',
  });
  const { app } = createLocalApp({
    read: {} as SiteReadModel,
    control: {} as SiteControl,
    audit: {} as McpAuditLog,
    settings: localApiSettings(config),
    logger: createLogger({ service: 'route-list', silent: true }),
  });
  const out: Route[] = [];
  collect((app as unknown as { router: { stack: Layer[] } }).router.stack, '', out);
  return out;
}

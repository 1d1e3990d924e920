import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalApp, type LocalAppDeps } from './app.js';

export interface LocalApiServer {
  /** e.g. http://127.0.0.1:3002 (loopback when bound to all interfaces). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listen on LOCAL_API_HOST:LOCAL_API_PORT; resolves once bound, rejects if the port is taken. */
export async function startLocalApi(deps: LocalAppDeps): Promise<LocalApiServer> {
  const c = deps.settings;
  const opts = { logger: deps.logger };
  const { app, auth } = createLocalApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(c.port, c.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = c.host === '0.0.0.0' || c.host === '::' ? '127.0.0.1' : c.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  opts.logger.info('local API and site dashboard listening', {
    url,
    host: c.host,
    port,
    lan_only: !c.allowAny,
    control_actions: auth.enabled ? 'on (LOCAL_API_TOKEN set)' : 'off (LOCAL_API_TOKEN not set)',
  });
  if (!auth.enabled) {
    opts.logger.warn(
      'control actions (start/stop, sync now, retry dead letters) are off: set LOCAL_API_TOKEN at install to enable them; read-only views work',
    );
  }
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Dashboards keep connections alive between polls; do not wait for them to time out.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      return closing;
    },
  };
}

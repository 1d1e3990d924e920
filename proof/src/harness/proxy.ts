import net from 'node:net';

/**
 * A TCP proxy of the suite's own between the agent and the client API, so network faults can be
 * injected at exact points of an HTTP exchange:
 * - `pass`: bytes flow both ways untouched;
 * - `refuse`: the listener is closed, new connections get ECONNREFUSED;
 * - `stall`: connections are accepted, nothing is forwarded, until the caller times out;
 * - `cut`: the request reaches the API, but the response is cut after `cutAfterBytes` bytes
 *   (so the API committed while the agent never saw the answer);
 * - `slow`: the response trickles at `bytesPerSecond`.
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'stall' }
  | { kind: 'cut'; cutAfterBytes: number }
  | { kind: 'slow'; bytesPerSecond: number };

export interface FaultProxy {
  port: number;
  url: string;
  mode(): ProxyMode;
  setMode(mode: ProxyMode): Promise<void>;
  /** Responses cut so far (each one an answer the agent never saw). */
  readonly stats: { connections: number; cut: number; stalled: number; refusedWhileClosed: number };
  close(): Promise<void>;
}

export async function startFaultProxy(
  target: { host: string; port: number },
  listen: { host: string; port: number },
): Promise<FaultProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  const sockets = new Set<net.Socket>();
  const stats = { connections: 0, cut: 0, stalled: 0, refusedWhileClosed: 0 };

  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  const onConnection = (client: net.Socket) => {
    track(client);
    stats.connections += 1;
    const m = mode;
    if (m.kind === 'stall') {
      stats.stalled += 1;
      client.on('data', () => undefined); // read and drop: the caller waits until its own timeout
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (b) => upstream.write(b));
    let sent = 0;
    let queue: Promise<void> = Promise.resolve();
    upstream.on('data', (b: Buffer) => {
      if (m.kind === 'cut') {
        const room = m.cutAfterBytes - sent;
        if (room > 0) client.write(b.subarray(0, room));
        sent += b.length;
        if (sent >= m.cutAfterBytes) {
          stats.cut += 1;
          client.destroy();
          upstream.destroy();
        }
        return;
      }
      if (m.kind === 'slow') {
        upstream.pause();
        queue = queue.then(async () => {
          const chunk = Math.max(1, Math.floor(m.bytesPerSecond / 10));
          for (let i = 0; i < b.length && !client.destroyed; i += chunk) {
            client.write(b.subarray(i, i + chunk));
            await new Promise((r) => setTimeout(r, 100));
          }
          upstream.resume();
        });
        return;
      }
      client.write(b);
    });
  };

  let server: net.Server | null = null;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(onConnection);
      s.once('error', reject);
      s.listen(listen.port, listen.host, () => {
        s.removeListener('error', reject);
        server = s;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };

  await open();
  return {
    port: listen.port,
    url: `http://${listen.host}:${listen.port}`,
    stats,
    mode: () => mode,
    async setMode(next) {
      const was = mode;
      mode = next;
      if (next.kind === 'refuse' && was.kind !== 'refuse') {
        await Promise.all([shut(), Promise.resolve(dropAll())]);
      } else if (next.kind !== 'refuse' && was.kind === 'refuse') {
        await open();
      }
      // A connection keeps the mode it was opened under (keep-alive would otherwise dodge the fault),
      // so every change drops open connections and the next request sees the new mode.
      dropAll();
    },
    async close() {
      dropAll();
      await shut();
    },
  };
}

import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@meterit/shared/node';
import { freePort } from '@meterit/shared/testing';
import { uplinkCause } from '../src/health/uplink-cause.js';
import { backlogTrend, trendWindowMs } from '../src/health/backlog-trend.js';
import { ClientApi, ClientApiError } from '../src/uploader/client-api.js';

const logger = createLogger({ level: 'error', service: 'test' });

describe('the likely cause of an uplink error, from what the uploader recorded', () => {
  it.each([
    ['UPLINK_UNREACHABLE', 'client system unreachable: ENOTFOUND', 'dns'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: EAI_AGAIN', 'dns'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: CERT_HAS_EXPIRED', 'tls'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: ECONNREFUSED', 'refused'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: no answer within 30000 ms', 'timeout'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: EHOSTUNREACH', 'network'],
    ['UPLINK_UNREACHABLE', 'client system unreachable: ECONNRESET', 'network'],
    ['AUTH_INVALID', 'client system answered 401: invalid API key', 'key_refused'],
    ['AUTH_MISSING', 'client system answered 401: missing API key', 'key_refused'],
    ['HTTP_401', 'client system answered 401: Unauthorized', 'key_refused'],
    ['FORBIDDEN', 'client system answered 403: site is inactive', 'forbidden'],
    ['RATE_LIMITED', 'HTTP 429', 'rate_limited'],
    ['UNAVAILABLE', 'HTTP 503', 'server_error'],
    ['INTERNAL', 'client system answered 500: the server failed', 'server_error'],
    ['HTTP_502', 'client system answered 502: Bad Gateway', 'server_error'],
    ['BAD_ANSWER', 'the client system answered 2xx without a result for every reading', 'other'],
  ])('when the uploader recorded %s "%s", then the cause is %s', (code, message, kind) => {
    expect(uplinkCause({ code, message })?.kind).toBe(kind);
  });

  it('when there is no error, then there is no cause; each cause has its own words, and only DNS, timeouts and lost routes send the technician to the router', () => {
    expect(uplinkCause(null)).toBeNull();
    const kinds = ['dns', 'tls', 'refused', 'timeout', 'network', 'key_refused', 'forbidden', 'server_error'];
    const samples: Record<string, { code: string; message: string }> = {
      dns: { code: 'UPLINK_UNREACHABLE', message: 'x: ENOTFOUND' },
      tls: { code: 'UPLINK_UNREACHABLE', message: 'x: CERT_HAS_EXPIRED' },
      refused: { code: 'UPLINK_UNREACHABLE', message: 'x: ECONNREFUSED' },
      timeout: { code: 'UPLINK_UNREACHABLE', message: 'x: no answer within 5 ms' },
      network: { code: 'UPLINK_UNREACHABLE', message: 'x: ENETUNREACH' },
      key_refused: { code: 'AUTH_INVALID', message: 'client system answered 401: no' },
      forbidden: { code: 'FORBIDDEN', message: 'client system answered 403: no' },
      server_error: { code: 'UNAVAILABLE', message: 'HTTP 500' },
    };
    const advice = kinds.map((k) => uplinkCause(samples[k])!.advice);
    expect(new Set(advice).size).toBe(kinds.length);
    const router = kinds.filter((k) => /router/i.test(uplinkCause(samples[k])!.advice));
    expect(router).toEqual(['dns', 'timeout', 'network']);
    expect(uplinkCause(samples.refused)!.advice).toMatch(/ECONNREFUSED/);
    expect(uplinkCause(samples.key_refused)!.advice).toMatch(/CLIENT_API_KEY/);
  });
});

describe('the cause of what a real ClientApi records', () => {
  const servers: Array<Server | TcpServer> = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  /** The error a real request to `origin` ends with, as the uploader records it. */
  async function failure(origin: string, timeoutMs = 2000): Promise<{ code: string; message: string }> {
    const api = new ClientApi({ origin, apiKey: 'k'.repeat(32), timeoutMs, logger });
    const err = await api.getConfig().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ClientApiError);
    return { code: (err as ClientApiError).code, message: (err as ClientApiError).message };
  }

  async function listen(s: Server | TcpServer): Promise<string> {
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  it('when nothing listens at the port, then the cause is a refused connection', async () => {
    expect(uplinkCause(await failure(`http://127.0.0.1:${await freePort()}`))?.kind).toBe('refused');
  });

  it('when the host name does not resolve, then the cause is DNS', async () => {
    expect(uplinkCause(await failure('http://meterit-client.invalid'))?.kind).toBe('dns');
  });

  it('when the server takes the connection but never answers, then the cause is a timeout', async () => {
    const silent = createTcpServer((sock) => sockets.push(sock));
    expect(uplinkCause(await failure(await listen(silent), 300))?.kind).toBe('timeout');
  });

  it('when the client system refuses the key or fails, then the cause is the key (401) or the server (503)', async () => {
    const status = { code: 401 };
    const api = createServer((_req, res) => {
      res.writeHead(status.code, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: status.code === 401 ? 'AUTH_INVALID' : 'UNAVAILABLE', message: 'no' } }));
    });
    const origin = await listen(api);
    expect(uplinkCause(await failure(origin))?.kind).toBe('key_refused');
    status.code = 503;
    expect(uplinkCause(await failure(origin))?.kind).toBe('server_error');
  });
});

describe('whether the backlog grows', () => {
  const minute = 60_000;
  const now = 1_800_000_000_000;
  const series = (counts: number[], stepMs: number) =>
    counts.map((count, i) => ({ at: now - (counts.length - 1 - i) * stepMs, count }));

  it('when the queue fills between syncs and empties at each, then it is steady, not growing', () => {
    const sawtooth = series([0, 10, 20, 0, 10, 20, 0, 10, 20, 0, 10, 20, 5], 10_000);
    expect(backlogTrend(sawtooth, now, 2 * minute).trend).toBe('steady');
  });

  it('when every count of the recent half is above the earlier half, then it grows; the other way round it shrinks', () => {
    const rising = series([0, 12, 4, 16, 30, 45, 60, 75, 90, 105, 120, 135], 10_000);
    expect(backlogTrend(rising, now, 2 * minute)).toEqual({ trend: 'growing', windowMs: 110_000 });
    expect(
      backlogTrend(
        [...rising].reverse().map((s, i) => ({ ...s, at: rising[i]!.at })),
        now,
        2 * minute,
      ).trend,
    ).toBe('shrinking');
  });

  it('when there are fewer than two samples in each half, then the trend is unknown; the window is three sync intervals, at least a minute', () => {
    expect(backlogTrend(series([5, 9, 20], 10_000), now, minute).trend).toBe('unknown');
    expect(backlogTrend([], now, minute).trend).toBe('unknown');
    expect(trendWindowMs(5 * minute)).toBe(15 * minute);
    expect(trendWindowMs(1500)).toBe(minute);
  });
});

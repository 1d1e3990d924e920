import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, HttpError } from '../src/http.js';

// The web apps' HTTP client against a real HTTP server on loopback: what each route answers is written here, the
// client sends real requests through Node's fetch (the same fetch API the browsers have).

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

const seen: Seen[] = [];
/** The token the server accepts on /private; the tests change it to make the client's token stale. */
let validToken = 'fresh';

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = (req.url ?? '').split('?')[0];
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  switch (path) {
    case '/echo':
      return json(200, { url: req.url, body: body === '' ? null : (JSON.parse(body) as unknown) });
    case '/slow':
      // Answers the headers only after 2 s: a client with a shorter limit gives up first.
      setTimeout(() => json(200, { late: true }), 2000).unref();
      return;
    case '/refused':
      return json(409, { error: { code: 'CONFLICT', message: 'A site with this name exists already.' } });
    case '/proxy-down':
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>Bad Gateway</body></html>');
      return;
    case '/private':
    case '/api/auth/private':
      if (req.headers.authorization === `Bearer ${validToken}`) return json(200, { ok: true });
      return json(401, { error: { code: 'UNAUTHORIZED', message: 'Token expired.' } });
    case '/empty':
      res.writeHead(204);
      res.end();
      return;
    case '/export.csv':
      res.writeHead(200, { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="site-7.csv"' });
      res.end('time,kwh\n2026-12-04T00:00:00Z,1.5\n');
      return;
    default:
      return json(404, { error: { code: 'NOT_FOUND', message: `No route ${path}` } });
  }
}

let server: Server;
let base: string;
/** A port that was just free: nothing listens there. */
let closedBase: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      });
      route(req, res, body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((done) => spare.listen(0, '127.0.0.1', done));
  closedBase = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
  await new Promise<void>((done) => spare.close(() => done()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
});

/** The error a call fails with; fails the test when the call succeeds. */
async function failure(call: Promise<unknown>): Promise<HttpError> {
  const err = await call.then(
    () => expect.unreachable('the call should have failed'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('the web apps’ HTTP client', () => {
  it('when a request has query parameters and a JSON body, then the server gets both, without the empty ones', async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 5000 });
    const answer = await http.post<{ url: string; body: unknown }>(
      '/echo',
      { name: 'Depot 7', meters: [1, 2] },
      { params: { site_id: 'a b&c', limit: 30, include_inactive: true, meter_id: undefined, state: null } },
    );
    expect(answer.status).toBe(200);
    expect(answer.data.body).toEqual({ name: 'Depot 7', meters: [1, 2] });
    const query = new URLSearchParams(answer.data.url.split('?')[1]);
    expect([...query.entries()]).toEqual([
      ['site_id', 'a b&c'],
      ['limit', '30'],
      ['include_inactive', 'true'],
    ]);
    expect(seen.at(-1)?.contentType).toBe('application/json');
  });

  it('when the server takes longer than the request may wait, then it fails as timed out, with no status', async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 5000 });
    const heard: (number | null)[] = [];
    http.observe((status) => heard.push(status));
    const started = Date.now();
    const err = await failure(http.get('/slow', { timeoutMs: 300 }));
    expect(err.failure).toBe('timeout');
    expect(err.status).toBeNull();
    expect(Date.now() - started).toBeLessThan(1900);
    expect(heard).toEqual([null]);
  });

  it('when nothing listens at the address, then it fails as no answer, and the listener hears no status', async () => {
    const http = createHttpClient({ baseUrl: closedBase, timeoutMs: 5000 });
    const heard: (number | null)[] = [];
    http.observe((status) => heard.push(status));
    const err = await failure(http.get('/echo'));
    expect(err.failure).toBe('unreachable');
    expect(err.status).toBeNull();
    expect(err.apiError).toBeNull();
    expect(heard).toEqual([null]);
  });

  it('when the API refuses with its error body, then the error carries the status, the code and the message', async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 5000 });
    const heard: (number | null)[] = [];
    const stop = http.observe((status) => heard.push(status));
    const err = await failure(http.post('/refused', { name: 'Depot 7' }));
    expect(err.failure).toBe('answered');
    expect(err.status).toBe(409);
    expect(err.apiError).toEqual({ code: 'CONFLICT', message: 'A site with this name exists already.' });
    expect(heard).toEqual([409]);
    stop();
    await failure(http.post('/refused', {}));
    expect(heard).toEqual([409]);
  });

  it('when a proxy answers with an HTML error page, then the error has the status and no API error', async () => {
    const err = await failure(createHttpClient({ baseUrl: base, timeoutMs: 5000 }).get('/proxy-down'));
    expect(err.status).toBe(502);
    expect(err.apiError).toBeNull();
    expect(err.body).toContain('Bad Gateway');
  });

  it('when the token has run out, then the client renews it once and sends the request again with the new one', async () => {
    let token = 'stale';
    let renewals = 0;
    validToken = 'fresh';
    const http = createHttpClient({
      baseUrl: base,
      timeoutMs: 5000,
      token: () => token,
      on401: {
        renew: async () => {
          renewals += 1;
          token = 'fresh';
          return true;
        },
      },
    });
    const before = seen.length;
    const answer = await http.get<{ ok: boolean }>('/private');
    expect(answer.data).toEqual({ ok: true });
    expect(renewals).toBe(1);
    expect(seen.slice(before).map((s) => s.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
  });

  it('when the renewed token is refused too, then the request is not sent a third time and fails with the 401', async () => {
    let renewals = 0;
    validToken = 'nobody has this one';
    const http = createHttpClient({
      baseUrl: base,
      timeoutMs: 5000,
      token: () => `token-${renewals}`,
      on401: {
        renew: async () => {
          renewals += 1;
          return true;
        },
      },
    });
    const before = seen.length;
    const err = await failure(http.get('/private'));
    expect(err.status).toBe(401);
    expect(err.apiError?.message).toBe('Token expired.');
    expect(renewals).toBe(1);
    expect(seen.slice(before).map((s) => s.authorization)).toEqual(['Bearer token-0', 'Bearer token-1']);
  });

  it('when a 401 comes from a path the renewal skips, or the renewal fails, then the request is not sent again', async () => {
    validToken = 'fresh';
    let renewals = 0;
    const renewing = (result: boolean) =>
      createHttpClient({
        baseUrl: base,
        timeoutMs: 5000,
        token: () => 'stale',
        on401: {
          renew: async () => {
            renewals += 1;
            return result;
          },
          skip: (path) => path.startsWith('/api/auth/'),
        },
      });
    const before = seen.length;
    expect((await failure(renewing(true).get('/api/auth/private'))).status).toBe(401);
    expect(renewals).toBe(0);
    expect((await failure(renewing(false).get('/private'))).status).toBe(401);
    expect(renewals).toBe(1);
    expect(seen.length - before).toBe(2);
  });

  it('when an answer has no body, then its data is undefined', async () => {
    const answer = await createHttpClient({ baseUrl: base, timeoutMs: 5000 }).delete('/empty');
    expect(answer.status).toBe(204);
    expect(answer.data).toBeUndefined();
  });

  it('when a file is downloaded, then the client gives its bytes and the name the server gave it', async () => {
    const http = createHttpClient({ baseUrl: base, timeoutMs: 5000, token: () => 'fresh' });
    const file = await http.download('/export.csv', { params: { format: 'csv' } });
    expect(file.fileName).toBe('site-7.csv');
    expect(await file.blob.text()).toBe('time,kwh\n2026-12-04T00:00:00Z,1.5\n');
    expect(seen.at(-1)).toMatchObject({ url: '/export.csv?format=csv', authorization: 'Bearer fresh' });
    const missing = await failure(http.download('/nothing.csv'));
    expect(missing.apiError?.code).toBe('NOT_FOUND');
  });
});

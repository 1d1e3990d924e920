import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/**
 * One request exactly as written: the path is sent unnormalised (fetch would resolve `..`), the
 * body is sent as given, headers are not completed. A reset connection is reported as status 0.
 */
export function rawRequest(
  base: string,
  req: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
  timeoutMs = 30_000,
  /** The loopback source address to send from (rate limits count per client address). */
  localAddress?: string,
): Promise<RawResponse> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    const r = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: req.method,
        path: req.path,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
        timeout: timeoutMs,
        agent: false,
        ...(localAddress ? { localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', (err) =>
          resolve({ status: 0, headers: {}, text: `response error: ${err.message}`, json: undefined }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (err) => resolve({ status: 0, headers: {}, text: `request error: ${err.message}`, json: undefined }));
    if (body) r.end(body);
    else r.end();
  });
}

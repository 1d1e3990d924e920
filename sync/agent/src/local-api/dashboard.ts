import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, Router } from 'express';
import { securityHeaders as sharedSecurityHeaders } from '@meterit/shared/node';

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>MeterIT site agent</title></head><body style="font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em">
<h1>The site dashboard is not installed</h1>
<p>The agent runs and its API answers (see <a href="/api/status">/api/status</a>), but the dashboard's files were not found.</p>
<p>Build them with <code>pnpm --filter @meterit/sync-web build</code>, or point <code>LOCAL_DASHBOARD_DIR</code> at the built <code>sync/web/dist</code> folder, then reload this page.</p>
</body></html>`;

/**
 * Headers for the dashboard and the local API: the same helmet settings as the client API (CSP with scripts only
 * from here and 'unsafe-inline' styles for MUI, no framing, nosniff, Referrer-Policy same-origin; HSTS never, the
 * agent serves plain HTTP on the LAN).
 */
export const securityHeaders: RequestHandler = sharedSecurityHeaders({ isHttps: () => false });

/**
 * The built dashboard (sync/web/dist) at `/`, with every other non-API GET answered by its
 * index.html (client-side routes). Hashed assets are cached for long; index.html never.
 */
export function dashboardRouter(dir: string): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');
  router.use(
    express.static(dir, {
      index: false,
      setHeaders(res, file) {
        res.setHeader(
          'Cache-Control',
          file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/api/') || req.path === '/api') {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    // Checked per request, so building the dashboard while the agent runs needs no restart.
    if (!existsSync(index)) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    res.sendFile(index);
  });
  return router;
}

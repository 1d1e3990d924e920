import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface SecurityHeaderOptions {
  /**
   * Whether this request reached us over HTTPS (Express: `req.secure`, which honours X-Forwarded-Proto behind a
   * trusted proxy). Only then is Strict-Transport-Security sent: on plain HTTP it would be ignored at best, and a
   * laptop's http://127.0.0.1 must keep working.
   */
  isHttps?: (req: IncomingMessage) => boolean;
}

const HSTS_MAX_AGE_S = 180 * 86_400;

/**
 * The Content-Security-Policy of the built web apps (client/web, sync/web): scripts only from this origin (Vite
 * emits one external module, no inline script), no plugins, no framing. Styles allow 'unsafe-inline' because
 * MUI's emotion writes its rules into <style> elements at run time; a nonce would need a server-rendered
 * index.html and would still not cover style attributes.
 */
export const WEB_APP_CSP: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

function requestIsHttps(req: IncomingMessage): boolean {
  const secure = (req as IncomingMessage & { secure?: unknown }).secure;
  return typeof secure === 'boolean' ? secure : (req.socket as Partial<TLSSocket>).encrypted === true;
}

/**
 * helmet with the settings both servers of MeterIT use for their API and their web app: the CSP above,
 * X-Frame-Options DENY (for browsers without frame-ancestors), nosniff, Referrer-Policy same-origin and
 * HSTS only over HTTPS. `same-origin` rather than `no-referrer`: with no-referrer a browser sends
 * `Origin: null` on the app's own POSTs, and the API checks Origin on cookie-authenticated calls.
 */
export function securityHeaders(options: SecurityHeaderOptions = {}): Middleware {
  const isHttps = options.isHttps ?? requestIsHttps;
  const base = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { ...WEB_APP_CSP } },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: HSTS_MAX_AGE_S, includeSubDomains: false });
  return (req, res, next) => {
    base(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      if (isHttps(req)) hsts(req, res, next);
      else next();
    });
  };
}

import type { Logger } from '@meterit/shared/node';

/** The site an API key belongs to, set by the site-auth middleware. */
export interface AuthenticatedSite {
  id: number;
  name: string;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the request-context middleware: taken from x-request-id when well-formed, else generated. */
      requestId: string;
      /** A child of the process logger carrying the request id. */
      log: Logger;
      /** Set by site-auth on /api/sync/*. */
      site?: AuthenticatedSite;
    }
  }
}

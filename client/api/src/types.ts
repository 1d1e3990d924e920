import type { Logger } from '@meterit/shared/node';
import type { UserRole } from '@meterit/shared';

/** The site an API key belongs to, set by the site-auth middleware. */
export interface AuthenticatedSite {
  id: number;
  name: string;
}

/** The operator behind a bearer token, set by the user-auth middleware. */
export interface AuthUser {
  id: number;
  email: string;
  role: UserRole;
  /** null = every site. */
  siteIds: number[] | null;
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
      /** Set by user-auth on the operator endpoints. */
      user?: AuthUser;
    }
  }
}

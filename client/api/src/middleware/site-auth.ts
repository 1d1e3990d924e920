import type { RequestHandler } from 'express';
import { API_KEY_HEADER, ErrorCode } from '@meterit/shared';
import { ApiError } from '../errors.js';
import type { AuthenticatedSite } from '../types.js';

/** What site-auth needs of the sites component (SitesService is one). */
export interface SiteKeyAuthenticator {
  authenticate(key: string): Promise<AuthenticatedSite>;
}

/** x-api-key → req.site. 401 AUTH_MISSING without a key, 401 AUTH_INVALID for any bad key. */
export function siteAuth(sites: SiteKeyAuthenticator): RequestHandler {
  return async (req, _res, next) => {
    const key = req.get(API_KEY_HEADER);
    if (key === undefined || key.trim() === '') {
      throw new ApiError(
        401,
        ErrorCode.AUTH_MISSING,
        `no API key: send the site's key in the ${API_KEY_HEADER} header`,
      );
    }
    req.site = await sites.authenticate(key.trim());
    req.log = req.log.child({ site_id: req.site.id });
    next();
  };
}

import { ErrorCode } from '@meterit/shared';
import { ApiError } from '../../errors.js';
import type { AuthUser } from '../../types.js';
import type { RuleRow } from './rules-repository.js';

/** Who does something: a person (roles and site limits apply) or a named system actor. */
export type AlertsActor = AuthUser;

/** Whether the actor sees what concerns this site; null = the client system itself, which everyone sees. */
export function seesSite(actor: AlertsActor, siteId: number | null): boolean {
  return siteId === null || actor.siteIds === null || actor.siteIds.includes(siteId);
}

export function assertOperator(actor: AlertsActor): void {
  if (actor.role !== 'admin' && actor.role !== 'operator')
    throw new ApiError(403, ErrorCode.FORBIDDEN, `only an operator or admin may do this; you are a ${actor.role}`);
}

export function assertSite(actor: AlertsActor, siteId: number): void {
  if (!seesSite(actor, siteId)) throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${siteId}`);
}

/**
 * Only a user who sees every site a rule covers may change or delete it: an operator limited to some sites could
 * otherwise disable (or raise the threshold of) an all-site rule and silence alerts of sites they cannot see.
 */
export function assertSeesAllCovered(actor: AlertsActor, r: RuleRow, what: 'change' | 'delete'): void {
  if (actor.siteIds === null || r.scope !== 'all') return;
  throw new ApiError(
    403,
    ErrorCode.FORBIDDEN,
    `alert rule ${r.id} ("${r.name}") covers every site, and you see only some (site ${actor.siteIds.join(', ') || 'none'}); only a user who sees every site may ${what} it`,
  );
}

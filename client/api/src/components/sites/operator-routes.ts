import { Router } from 'express';
import {
  ConnectivityQuerySchema,
  ErrorCode,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_RANGE_DAYS,
  IdParamsSchema,
  KeyParamsSchema,
  MeterWriteRequestSchema,
  RotateKeyRequestSchema,
  SiteHistoryQuerySchema,
  SiteQuerySchema,
  SitesQuerySchema,
  SiteUpdateRequestSchema,
  SiteWriteRequestSchema,
  startOfDay,
} from '@meterit/shared';
import { validate } from '../../middleware/validate.js';
import { assertSiteVisible, requireRole, userOf, visibleSites } from '../../middleware/user-auth.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import type { SiteDirectory } from './site-directory.js';
import type { SiteHistory } from './site-history.js';
import { ApiError } from '../../errors.js';

export function sitesRouter(deps: { sites: SiteDirectory; meters: MeterDirectory; history: SiteHistory }): Router {
  const router = Router();
  const { sites, meters } = deps;

  /** A site just written, as the list shows it (its energy since now: none yet). */
  const siteNow = async (id: number) =>
    (await sites.summaries([id], { includeInactive: true, energySince: new Date(), tz: 'UTC' }))[0];

  const list = validate({ query: SitesQuerySchema });
  router.get('/api/sites', list, async (req, res) => {
    const { query } = list.parsed(req);
    const tz = query.tz ?? 'UTC';
    const now = new Date();
    res.json({
      sites: await sites.summaries(
        visibleSites(userOf(req), query.id),
        {
          includeInactive: query.include_inactive ?? false,
          energySince: query.energy_since ?? startOfDay(tz, now),
          tz,
        },
        now,
      ),
    });
  });

  const one = validate({ params: IdParamsSchema, query: SiteQuerySchema });
  router.get('/api/sites/:id', one, async (req, res) => {
    const { params, query } = one.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    const tz = query.tz ?? 'UTC';
    const now = new Date();
    const [site] = await sites.summaries(
      [params.id],
      { includeInactive: true, energySince: startOfDay(tz, now), tz },
      now,
    );
    if (!site) throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${params.id}`);
    res.json({ site });
  });

  const byId = validate({ params: IdParamsSchema });
  router.get('/api/sites/:id/status', byId, async (req, res) => {
    const { id } = byId.parsed(req).params;
    assertSiteVisible(userOf(req), id);
    res.json(await sites.status(id));
  });

  const connectivity = validate({ params: IdParamsSchema, query: ConnectivityQuerySchema });
  router.get('/api/sites/:id/connectivity', connectivity, async (req, res) => {
    const { params, query } = connectivity.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    // One clock for the whole answer: a range that ends now is still "now" when the outages are worked out.
    const now = new Date();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - 86_400_000);
    if (from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    res.json(await sites.connectivity(params.id, from, to, query.max_points ?? 1000, now));
  });

  const history = validate({ params: IdParamsSchema, query: SiteHistoryQuerySchema });
  router.get('/api/sites/:id/history', history, async (req, res) => {
    const { params, query } = history.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    const now = new Date();
    const to = query.to ?? now;
    const from = query.from ?? new Date(to.getTime() - 7 * 86_400_000);
    if (from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    if (to.getTime() - from.getTime() > HISTORY_MAX_RANGE_DAYS * 86_400_000)
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        `from and to may be at most ${HISTORY_MAX_RANGE_DAYS} days apart`,
      );
    res.json(
      await deps.history.history(
        params.id,
        {
          from,
          to,
          kinds: query.kind,
          limit: query.limit ?? HISTORY_DEFAULT_LIMIT,
          offset: query.offset ?? 0,
        },
        now,
      ),
    );
  });

  // --- admin ---

  const create = validate({ body: SiteWriteRequestSchema });
  router.post('/api/sites', requireRole('admin'), create, async (req, res) => {
    const created = await sites.create(create.parsed(req).body);
    req.log.info('site created', { site_id: created.site_id, key_prefix: created.key_prefix });
    res.status(201).json({ ...created, site: await siteNow(created.site_id) });
  });

  const update = validate({ params: IdParamsSchema, body: SiteUpdateRequestSchema });
  router.patch('/api/sites/:id', requireRole('admin'), update, async (req, res) => {
    const { params, body } = update.parsed(req);
    await sites.update(params.id, body);
    req.log.info('site updated', { site_id: params.id, fields: Object.keys(body) });
    res.json({ site: await siteNow(params.id) });
  });

  router.get('/api/sites/:id/keys', requireRole('admin'), byId, async (req, res) => {
    res.json({ keys: await sites.keys(byId.parsed(req).params.id) });
  });

  // No body rotates with the configured grace period; a body that is sent must be the object this route reads.
  const rotate = validate({ params: IdParamsSchema, body: RotateKeyRequestSchema });
  router.post('/api/sites/:id/keys', requireRole('admin'), rotate, async (req, res) => {
    const { params, body } = rotate.parsed(req);
    const grace = body?.grace_hours;
    const rotated = await sites.rotateKey(params.id, grace === undefined ? undefined : Math.round(grace * 3_600_000));
    req.log.info('site API key rotated', {
      site_id: rotated.site_id,
      key_prefix: rotated.key_prefix,
      previous_keys_expire_at: rotated.previous_keys_expire_at,
    });
    res.status(201).json(rotated);
  });

  const revoke = validate({ params: KeyParamsSchema });
  router.delete('/api/sites/:id/keys/:prefix', requireRole('admin'), revoke, async (req, res) => {
    const { id, prefix } = revoke.parsed(req).params;
    await sites.revokeKey(id, prefix);
    req.log.info('site API key revoked', { site_id: id, key_prefix: prefix });
    res.status(204).end();
  });

  const addMeter = validate({ params: IdParamsSchema, body: MeterWriteRequestSchema });
  router.post('/api/sites/:id/meters', requireRole('admin', 'operator'), addMeter, async (req, res) => {
    const { params, body } = addMeter.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    await sites.status(params.id);
    const id = await meters.create(params.id, body);
    req.log.info('meter created', { site_id: params.id, meter_id: id });
    res.status(201).json({ meter: await meters.get(id, null) });
  });

  return router;
}

import { Router } from 'express';
import { body, param } from 'express-validator';
import type { MeterWriteRequest } from '@meterit/shared';
import {
  check,
  describeType,
  isPlainObject,
  onlyFields,
  optionalObjectBody,
  stringProblem,
  validateOrThrow,
} from '../../middleware/validate.js';
import {
  bool,
  boolQuery,
  ids,
  idListQuery,
  intQuery,
  isoQuery,
  num,
  str,
  time,
  tzQuery,
} from '../../middleware/query.js';
import { assertSiteVisible, requireRole, userOf, visibleSites } from '../../middleware/user-auth.js';
import { idParam } from '../users/routes.js';
import type { MeterDirectory } from '../meters/meter-directory.js';
import { validateMeterWrite } from '../meters/meter-validation.js';
import type { SiteDirectory } from './site-directory.js';
import { ApiError } from '../../errors.js';
import { ErrorCode } from '@meterit/shared';

const locationProblem = (v: unknown) =>
  v === undefined || v === null
    ? undefined
    : typeof v === 'string'
      ? stringProblem('location', 0, 255)(v)
      : `location must be at most 255 characters or null, got ${describeType(v)}`;
const siteNameProblem = (v: unknown) =>
  typeof v === 'string' ? stringProblem('name', 1, 255)(v.trim()) : stringProblem('name', 1, 255)(v);

/** Midnight today in `tz`, as an instant. */
function startOfToday(tz: string, now: Date): Date {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const localAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = localAsUtc - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day')) - offset);
}

export function sitesRouter(deps: { sites: SiteDirectory; meters: MeterDirectory }): Router {
  const router = Router();
  const { sites, meters } = deps;
  const siteIdOf = (req: { params: Record<string, unknown> }) => Number(req.params.id);

  router.get('/api/sites', async (req, res) => {
    await validateOrThrow(req, [idListQuery('id'), boolQuery('include_inactive'), tzQuery(), isoQuery('energy_since')]);
    const q = req.query as Record<string, unknown>;
    const tz = str(q.tz) ?? 'UTC';
    const now = new Date();
    res.json({
      sites: await sites.summaries(
        visibleSites(userOf(req), ids(q.id)),
        {
          includeInactive: bool(q.include_inactive) ?? false,
          energySince: time(q.energy_since) ?? startOfToday(tz, now),
          tz,
        },
        now,
      ),
    });
  });

  router.get('/api/sites/:id', async (req, res) => {
    await validateOrThrow(req, [idParam(), tzQuery()]);
    assertSiteVisible(userOf(req), siteIdOf(req));
    const tz = str(req.query.tz) ?? 'UTC';
    const now = new Date();
    const [site] = await sites.summaries(
      [siteIdOf(req)],
      { includeInactive: true, energySince: startOfToday(tz, now), tz },
      now,
    );
    if (!site) throw new ApiError(404, ErrorCode.NOT_FOUND, `no site with id ${siteIdOf(req)}`);
    res.json({ site });
  });

  router.get('/api/sites/:id/status', async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    assertSiteVisible(userOf(req), siteIdOf(req));
    res.json(await sites.status(siteIdOf(req)));
  });

  router.get('/api/sites/:id/connectivity', async (req, res) => {
    await validateOrThrow(req, [idParam(), isoQuery('from'), isoQuery('to'), intQuery('max_points', 10, 5000)]);
    assertSiteVisible(userOf(req), siteIdOf(req));
    const to = time(req.query.to) ?? new Date();
    const from = time(req.query.from) ?? new Date(to.getTime() - 86_400_000);
    if (from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    res.json(await sites.connectivity(siteIdOf(req), from, to, num(req.query.max_points) ?? 1000));
  });

  // --- admin ---

  router.post('/api/sites', requireRole('admin'), async (req, res) => {
    await validateOrThrow(req, [
      body()
        .custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object {"name", "location"?}')))
        .bail(),
      body('name').custom(check(siteNameProblem)),
      body('location').custom(check(locationProblem)),
    ]);
    const { name, location } = req.body as { name: string; location?: string | null };
    const created = await sites.create(name.trim(), location?.trim() || null);
    req.log.info('site created', { site_id: created.site_id, key_prefix: created.key_prefix });
    const [site] = await sites.summaries([created.site_id], {
      includeInactive: true,
      energySince: new Date(),
      tz: 'UTC',
    });
    res.status(201).json({ ...created, site });
  });

  router.patch('/api/sites/:id', requireRole('admin'), async (req, res) => {
    await validateOrThrow(req, [
      idParam(),
      body()
        .custom(check((v) => (isPlainObject(v) ? undefined : 'the body must be a JSON object')))
        .bail(),
      onlyFields('name', 'location', 'is_active'),
      body('name').custom(check((v) => (v === undefined ? undefined : siteNameProblem(v)))),
      body('location').custom(check(locationProblem)),
      body('is_active').custom(
        check((v) =>
          v === undefined || typeof v === 'boolean' ? undefined : `is_active must be a boolean, got ${describeType(v)}`,
        ),
      ),
    ]);
    const b = req.body as { name?: string; location?: string | null; is_active?: boolean };
    await sites.update(siteIdOf(req), {
      ...(b.name !== undefined ? { name: b.name.trim() } : {}),
      ...(b.location !== undefined ? { location: b.location?.trim() || null } : {}),
      ...(b.is_active !== undefined ? { isActive: b.is_active } : {}),
    });
    req.log.info('site updated', { site_id: siteIdOf(req), fields: Object.keys(b) });
    const [site] = await sites.summaries([siteIdOf(req)], {
      includeInactive: true,
      energySince: new Date(),
      tz: 'UTC',
    });
    res.json({ site });
  });

  router.get('/api/sites/:id/keys', requireRole('admin'), async (req, res) => {
    await validateOrThrow(req, [idParam()]);
    res.json({ keys: await sites.keys(siteIdOf(req)) });
  });

  router.post('/api/sites/:id/keys', requireRole('admin'), async (req, res) => {
    await validateOrThrow(req, [
      idParam(),
      // No body rotates with the configured grace period; a body that is sent must be the object this route reads.
      ...optionalObjectBody('grace_hours'),
      body('grace_hours').custom(
        check((v) =>
          v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 8760)
            ? undefined
            : `grace_hours must be a number from 0 to 8760, got ${describeType(v)}`,
        ),
      ),
    ]);
    const grace = (req.body as { grace_hours?: number } | undefined)?.grace_hours;
    const rotated = await sites.rotateKey(
      siteIdOf(req),
      grace === undefined ? undefined : Math.round(grace * 3_600_000),
    );
    req.log.info('site API key rotated', {
      site_id: rotated.site_id,
      key_prefix: rotated.key_prefix,
      previous_keys_expire_at: rotated.previous_keys_expire_at,
    });
    res.status(201).json(rotated);
  });

  router.delete('/api/sites/:id/keys/:prefix', requireRole('admin'), async (req, res) => {
    await validateOrThrow(req, [
      idParam(),
      param('prefix').custom(
        check((v) =>
          typeof v === 'string' && /^[0-9a-f]{16}$/.test(v)
            ? undefined
            : 'prefix must be the 16 hex characters after mk_',
        ),
      ),
    ]);
    await sites.revokeKey(siteIdOf(req), String(req.params.prefix));
    req.log.info('site API key revoked', { site_id: siteIdOf(req), key_prefix: req.params.prefix });
    res.status(204).end();
  });

  router.post('/api/sites/:id/meters', requireRole('admin', 'operator'), async (req, res) => {
    await validateMeterWrite(req, false, [idParam()]);
    const user = userOf(req);
    assertSiteVisible(user, siteIdOf(req));
    await sites.status(siteIdOf(req));
    const id = await meters.create(siteIdOf(req), req.body as MeterWriteRequest);
    req.log.info('meter created', { site_id: siteIdOf(req), meter_id: id });
    res.status(201).json({ meter: await meters.get(id, null) });
  });

  return router;
}

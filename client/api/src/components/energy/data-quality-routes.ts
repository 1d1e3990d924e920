import { Router } from 'express';
import {
  DATA_QUALITY_DEFAULT_LIMIT,
  DATA_QUALITY_MAX_RANGE_DAYS,
  DataQualityQuerySchema,
  ErrorCode,
  IdParamsSchema,
} from '@meterit/shared';
import { ApiError } from '../../errors.js';
import { validate } from '../../middleware/validate.js';
import { assertSiteVisible, userOf } from '../../middleware/user-auth.js';
import type { DataQualityService } from './data-quality-service.js';

const DAY_MS = 86_400_000;

/** GET /api/sites/:id/data-quality: the site's gaps, resets, rollovers and impossible steps, newest first. */
export function dataQualityRouter(quality: DataQualityService): Router {
  const router = Router();
  const list = validate({ params: IdParamsSchema, query: DataQualityQuerySchema });
  router.get('/api/sites/:id/data-quality', list, async (req, res) => {
    const { params, query } = list.parsed(req);
    assertSiteVisible(userOf(req), params.id);
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - 7 * DAY_MS);
    if (from >= to) throw new ApiError(400, ErrorCode.VALIDATION_FAILED, 'from must be before to');
    if (to.getTime() - from.getTime() > DATA_QUALITY_MAX_RANGE_DAYS * DAY_MS)
      throw new ApiError(
        400,
        ErrorCode.VALIDATION_FAILED,
        `from and to may be at most ${DATA_QUALITY_MAX_RANGE_DAYS} days apart`,
      );
    res.json(
      await quality.list(params.id, {
        from,
        to,
        limit: query.limit ?? DATA_QUALITY_DEFAULT_LIMIT,
        offset: query.offset ?? 0,
      }),
    );
  });
  return router;
}

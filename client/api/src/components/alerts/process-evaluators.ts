// The built-in rules about this API process itself (the database-down rule runs in the engine, from memory).
import { fmtMinutes } from './alert-format.js';
import { emptyResult, type Evaluator } from './evaluation.js';

export const apiErrorRate: Evaluator = async (_rule, threshold, ctx) => {
  const now = ctx.now.getTime();
  const out = emptyResult();
  const windowMs = ctx.config.errorRateWindowMinutes * 60_000;
  const { total, errors } = ctx.counter.snapshot(now, windowMs);
  const rate = total === 0 ? 0 : (errors / total) * 100;
  out.observations.push({
    key: 'global',
    siteId: null,
    meterId: null,
    active: total >= ctx.config.errorRateMinRequests && rate > threshold,
    since: new Date(now - windowMs),
    value: Math.round(rate * 10) / 10,
    threshold,
    unit: '%',
    title: `API error rate ${Math.round(rate * 10) / 10} % (${errors} of ${total} responses were server errors)`,
    detail: `Over the last ${fmtMinutes(windowMs)}, ${errors} of ${total} responses of this API process were 5xx. Check the API logs (level error) and /ready.`,
  });
  return out;
};

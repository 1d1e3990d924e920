import { Router } from 'express';
import { ErrorCode } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import {
  backlogHistoryRequestSchema,
  discoverRequestSchema,
  readPointRequestSchema,
  type BacklogHistoryResponse,
  type DiscoverResponse,
  type ReadPointResponse,
} from '@meterit/shared/site-contracts';
import { requireControl, type LocalAuth } from './auth.js';
import { DiscoveryRefused } from './discovery-gate.js';
import { LocalApiError } from './errors.js';
import type { ToolsView } from './tools-view.js';
import { jsonObjectBody, validBody, validQuery } from './validate.js';

/** The backlog chart (a view, no credential) and the technician's tools: Who-Is and a live read (control token). */
export function toolsRouter(tools: ToolsView, auth: LocalAuth, log: Logger): Router {
  const router = Router();

  router.get('/api/backlog/history', async (req, res) => {
    const q = validQuery(req, backlogHistoryRequestSchema);
    const answer: BacklogHistoryResponse = await tools.backlogHistory(q.hours ?? 24);
    res.json(answer);
  });

  // controlRouter has already checked the credential (and counted failures) for /api/control/*; checked again
  // here so that these routes never depend on the order the routers are mounted in.
  const control = requireControl(auth);

  router.post('/api/control/discover', control, jsonObjectBody(discoverRequestSchema), async (req, res) => {
    const b = validBody(req, discoverRequestSchema);
    log.info('control action', { action: 'discover', by: req.controlBy, ip: req.socket.remoteAddress, ...b });
    let answer: DiscoverResponse;
    try {
      answer = await tools.discover(b, `dashboard:${req.controlBy ?? 'unknown'}`);
    } catch (err) {
      if (err instanceof LocalApiError) throw err;
      if (err instanceof DiscoveryRefused) {
        res.setHeader('Retry-After', String(err.retryAfterS));
        throw new LocalApiError(429, ErrorCode.RATE_LIMITED, err.message);
      }
      // The meter network failed us (a BBMD that refuses registration, no BACnet adapter): not the caller's fault.
      throw new LocalApiError(503, ErrorCode.UNAVAILABLE, `discovery failed: ${(err as Error).message}`);
    }
    res.json(answer);
  });

  router.post('/api/control/read-point', control, jsonObjectBody(readPointRequestSchema), async (req, res) => {
    const b = validBody(req, readPointRequestSchema);
    log.info('control action', { action: 'read point', by: req.controlBy, ip: req.socket.remoteAddress, ...b });
    const answer: ReadPointResponse = await tools.readPoint(b).catch((err: unknown) => {
      if (err instanceof LocalApiError) throw err;
      throw new LocalApiError(503, ErrorCode.UNAVAILABLE, `the read failed: ${(err as Error).message}`);
    });
    res.json(answer);
  });

  return router;
}

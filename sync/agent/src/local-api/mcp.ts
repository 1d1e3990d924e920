import { Router, type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import {
  createMcpHttpHandler,
  createSiteMcpServer,
  type SiteOperations,
  type SiteRole,
  type ToolCallRecord,
} from '@meterit/sync-mcp';
import type { McpAuditLog, SiteReadModel } from '../site/ports.js';
import { bearerOf, BearerSecret, type LocalAuth } from './auth.js';
import { LocalApiError } from './errors.js';
import type { AgentMetrics } from './metrics.js';
import type { LocalApiSettings } from './settings.js';

/** Who called /mcp, once the bearer token was checked. */
interface McpCaller {
  role: SiteRole;
  /** token | session (operator), viewer_token (viewer). */
  principal: string;
}

const FAILED_ATTEMPTS_PER_5_MIN = 30;

export interface McpRouteDeps {
  read: SiteReadModel;
  audit: McpAuditLog;
  settings: LocalApiSettings;
  ops: SiteOperations;
  auth: LocalAuth;
  metrics: AgentMetrics;
  logger: Logger;
}

/**
 * Browsers send Origin; assistants and the stdio bridge do not. A page on another origin must
 * not drive the agent through a technician's browser (DNS rebinding, CSRF), so only the agent's
 * own origin and MCP_ALLOWED_ORIGINS pass.
 */
function checkOrigin(allowed: string[]): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined) {
      next();
      return;
    }
    const own = `${req.protocol}://${req.get('host') ?? ''}`;
    if (origin === own || allowed.includes(origin)) {
      next();
      return;
    }
    next(
      new LocalApiError(
        403,
        ErrorCode.FORBIDDEN,
        `requests from the web origin ${origin} are refused; add it to MCP_ALLOWED_ORIGINS if it is trusted`,
      ),
    );
  };
}

/**
 * POST /mcp: the site MCP server over Streamable HTTP, on the local API's port. LOCAL_API_TOKEN
 * (or a dashboard session) is the operator role, LOCAL_API_VIEWER_TOKEN the viewer role; no or a
 * wrong token is 401. Every tool call goes to the audit log and the metrics.
 */
export function mcpRouter(d: McpRouteDeps): Router {
  const viewer = new BearerSecret(d.settings.viewerToken);
  const log = d.logger.child({ module: 'mcp' });
  const router = Router();
  const callerOf = (req: Request): McpCaller | null => {
    const bearer = bearerOf(req.get('authorization'));
    if (!bearer) return null;
    const operator = d.auth.verify(bearer);
    if (operator) return { role: 'operator', principal: operator.by };
    return viewer.matches(bearer) ? { role: 'viewer', principal: 'viewer_token' } : null;
  };
  const failedByAddress = new MemoryStore();
  const addressKey = (req: Request) => ipKeyGenerator(req.socket.remoteAddress ?? '');
  const failures = rateLimit({
    store: failedByAddress,
    keyGenerator: addressKey,
    // A good token is no guess: it is not counted at all (counting it until its answer made 100 calls at once
    // "too many failed attempts"), unless its address is locked out already, so a right guess is refused too.
    skip: async (req) =>
      callerOf(req) !== null &&
      ((await failedByAddress.get(addressKey(req)))?.totalHits ?? 0) < FAILED_ATTEMPTS_PER_5_MIN,
    windowMs: 5 * 60_000,
    limit: FAILED_ATTEMPTS_PER_5_MIN,
    // Only refused credentials count; a 405 for the SDK's optional GET is not an attack.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new LocalApiError(
          429,
          ErrorCode.RATE_LIMITED,
          'too many failed attempts with a wrong or missing MCP token; wait five minutes',
        ),
      ),
  });

  const authenticate: RequestHandler = (req, res, next) => {
    if (!d.auth.enabled && !viewer.configured) {
      next(
        new LocalApiError(
          403,
          ErrorCode.FORBIDDEN,
          'MCP is off on this agent because neither LOCAL_API_TOKEN nor LOCAL_API_VIEWER_TOKEN is set; the installer sets them (then restart the agent)',
        ),
      );
      return;
    }
    const bearer = bearerOf(req.get('authorization'));
    if (!bearer) {
      next(
        new LocalApiError(
          401,
          ErrorCode.AUTH_MISSING,
          'the MCP endpoint needs a bearer token: Authorization: Bearer <LOCAL_API_TOKEN or LOCAL_API_VIEWER_TOKEN>',
        ),
      );
      return;
    }
    const caller = callerOf(req);
    if (!caller) {
      log.warn('MCP call refused: wrong token', { ip: req.socket.remoteAddress });
      next(new LocalApiError(401, ErrorCode.AUTH_INVALID, 'the MCP bearer token is wrong or has expired'));
      return;
    }
    res.locals.mcpCaller = caller;
    next();
  };

  const record = async (call: ToolCallRecord, via: string, ip: string | null) => {
    d.metrics.countToolCall(call);
    log.info('MCP tool call', {
      tool: call.tool,
      role: call.role,
      by: call.principal,
      via,
      ip,
      outcome: call.outcome,
      duration_ms: call.durationMs,
    });
    try {
      await d.audit.record({
        calledAt: call.at,
        role: call.role,
        principal: call.principal,
        via,
        ip,
        tool: call.tool,
        arguments: call.arguments,
        durationMs: call.durationMs,
        outcome: call.outcome,
        error: call.error,
      });
    } catch (err) {
      log.error('could not write the MCP audit log', { tool: call.tool, error: (err as Error).message });
    }
  };

  router.all('/mcp', checkOrigin(d.settings.mcpAllowedOrigins), failures, authenticate, async (req, res) => {
    const caller = res.locals.mcpCaller as McpCaller;
    const via = req.get('x-meterit-mcp-via') === 'stdio-bridge' ? 'stdio-bridge' : 'http';
    const ip = req.socket.remoteAddress ?? null;
    const handle = createMcpHttpHandler({
      createServer: () =>
        createSiteMcpServer(
          { ...d.ops, discover: (o) => d.ops.discover({ ...o, caller: caller.principal }) },
          {
            role: caller.role,
            principal: caller.principal,
            version: d.read.facts().agentVersion,
            now: () => d.read.now(),
            onToolCall: (call) => record(call, via, ip),
          },
        ),
      onError: (err) => log.error('MCP request failed', { error: err.message, stack: err.stack }),
    });
    await handle(req, res);
  });
  return router;
}

import { Router, type Request } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import { failedCredentialLimits, FAILED_CREDENTIALS_PER_5_MIN, type Logger } from '@meterit/shared/node';
import { checkMcpOrigin, createToolCallRecorder, mcpRequestSource } from '@meterit/shared/mcp-server';
import {
  createMcpHttpHandler,
  createSiteMcpServer,
  type SiteOperations,
  type SiteRole,
  type ToolCallRecord,
} from '@meterit/sync-mcp';
import type { McpAuditLog, SiteReadModel } from '../site/ports.js';
import { bearerGuard, bearerOf, BearerSecret, type LocalAuth } from './auth.js';
import { LocalApiError } from './errors.js';
import type { AgentMetrics } from './metrics.js';
import type { LocalApiSettings } from './settings.js';

/** Who called /mcp, once the bearer token was checked. */
interface McpCaller {
  role: SiteRole;
  /** token | session (operator), viewer_token (viewer). */
  principal: string;
}

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
 * POST /mcp: the site MCP server over Streamable HTTP, on the local API's port. LOCAL_API_TOKEN
 * (or a dashboard session) is the operator role, LOCAL_API_VIEWER_TOKEN the viewer role; no or a
 * wrong token is 401. Every tool call goes to the audit log and the metrics.
 */
export function mcpRouter(d: McpRouteDeps): Router {
  const viewer = new BearerSecret(d.settings.viewerToken);
  const log = d.logger.child({ module: 'mcp' });
  const router = Router();
  const callerOfBearer = (bearer: string): McpCaller | null => {
    const operator = d.auth.verify(bearer);
    if (operator) return { role: 'operator', principal: operator.by };
    return viewer.matches(bearer) ? { role: 'viewer', principal: 'viewer_token' } : null;
  };
  const callerOf = (req: Request): McpCaller | null => {
    const bearer = bearerOf(req.get('authorization'));
    return bearer ? callerOfBearer(bearer) : null;
  };
  const failedByAddress = new MemoryStore();
  const addressKey = (req: Request) => ipKeyGenerator(req.socket.remoteAddress ?? '');
  const failures = rateLimit({
    // Only refused credentials count; a 405 for the SDK's optional GET is not an attack.
    ...failedCredentialLimits(
      () =>
        new LocalApiError(
          429,
          ErrorCode.RATE_LIMITED,
          'too many failed attempts with a wrong or missing MCP token; wait five minutes',
        ),
    ),
    store: failedByAddress,
    keyGenerator: addressKey,
    // A good token is no guess: it is not counted at all (counting it until its answer made 100 calls at once
    // "too many failed attempts"), unless its address is locked out already, so a right guess is refused too.
    skip: async (req) =>
      callerOf(req) !== null &&
      ((await failedByAddress.get(addressKey(req)))?.totalHits ?? 0) < FAILED_CREDENTIALS_PER_5_MIN,
  });

  const authenticate = bearerGuard({
    off: () =>
      d.auth.enabled || viewer.configured
        ? null
        : 'MCP is off on this agent because neither LOCAL_API_TOKEN nor LOCAL_API_VIEWER_TOKEN is set; the installer sets them (then restart the agent)',
    missing: 'the MCP endpoint needs a bearer token: Authorization: Bearer <LOCAL_API_TOKEN or LOCAL_API_VIEWER_TOKEN>',
    invalid: 'the MCP bearer token is wrong or has expired',
    verify: callerOfBearer,
    onInvalid: (req) => log.warn('MCP call refused: wrong token', { ip: req.socket.remoteAddress }),
    accept: (_req, res, caller) => {
      res.locals.mcpCaller = caller;
    },
  });

  const record = createToolCallRecorder({
    countToolCall: (call: ToolCallRecord) => d.metrics.countToolCall(call),
    audit: d.audit,
    log,
  });
  const checkOrigin = checkMcpOrigin(
    d.settings.mcpAllowedOrigins,
    (message) => new LocalApiError(403, ErrorCode.FORBIDDEN, message),
  );

  router.all('/mcp', checkOrigin, failures, authenticate, async (req, res) => {
    const caller = res.locals.mcpCaller as McpCaller;
    const source = mcpRequestSource(req);
    const handle = createMcpHttpHandler({
      createServer: () =>
        createSiteMcpServer(
          { ...d.ops, discover: (o) => d.ops.discover({ ...o, caller: caller.principal }) },
          {
            role: caller.role,
            principal: caller.principal,
            version: d.read.facts().agentVersion,
            now: () => d.read.now(),
            onToolCall: (call) => record(call, source),
          },
        ),
      onError: (err) => log.error('MCP request failed', { error: err.message, stack: err.stack }),
    });
    await handle(req, res);
  });
  return router;
}

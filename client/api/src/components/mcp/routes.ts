import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import type { Logger } from '@meterit/shared/node';
import {
  createClientMcpServer,
  createMcpHttpHandler,
  type ClientOperations,
  type McpUser,
  type ToolCallRecord,
} from '@meterit/client-mcp';
import { ApiError } from '../../errors.js';
import type { AuthService } from '../auth/auth-service.js';
import { MCP_TOKEN_PREFIX, type McpTokens } from '../auth/mcp-tokens.js';
import type { ApiMetrics } from '../metrics/metrics.js';
import type { McpAuditRepository } from './mcp-audit-repository.js';

const FAILED_ATTEMPTS_PER_5_MIN = 30;
const REALM = 'Bearer realm="meterit-client", error="invalid_token"';

/** Who called /mcp, once the bearer token was checked. */
interface McpCaller {
  user: McpUser;
  /** access_token | mcp_token:<id> */
  principal: string;
}

export interface McpRouteDeps {
  ops: ClientOperations;
  auth: AuthService;
  tokens: McpTokens;
  audit: McpAuditRepository;
  metrics: ApiMetrics;
  logger: Logger;
  /** Web origins (besides the API's own) whose pages may call /mcp from a browser. */
  allowedOrigins: string[];
  version?: string;
}

/**
 * Browsers send Origin; assistants and the stdio bridge do not. A page on another origin must not
 * drive the client system through an operator's browser (DNS rebinding, CSRF), so only the API's
 * own origin and MCP_ALLOWED_ORIGINS pass.
 */
function checkOrigin(allowed: string[]): RequestHandler {
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined || origin === `${req.protocol}://${req.get('host') ?? ''}` || allowed.includes(origin)) {
      next();
      return;
    }
    next(
      new ApiError(
        403,
        ErrorCode.FORBIDDEN,
        `requests from the web origin ${origin} are refused; add it to MCP_ALLOWED_ORIGINS if it is trusted`,
      ),
    );
  };
}

/**
 * POST /mcp: the client MCP server over Streamable HTTP on the API's own port. The bearer token is a
 * web-app access token (JWT) or a personal MCP token (mcp_…, POST /api/auth/tokens); either way the
 * caller is that user with the user's current role and sites. No or a bad token is 401. Every tool
 * call goes to the audit log (mcp_audit) and the metrics.
 */
export function mcpRouter(d: McpRouteDeps): Router {
  const log = d.logger.child({ module: 'mcp' });
  const router = Router();
  const failures = rateLimit({
    windowMs: 5 * 60_000,
    limit: FAILED_ATTEMPTS_PER_5_MIN,
    // Only refused credentials count.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) =>
      next(
        new ApiError(
          429,
          ErrorCode.RATE_LIMITED,
          'too many failed attempts with a wrong or missing MCP token; wait five minutes',
        ),
      ),
  });

  const authenticate: RequestHandler = async (req, res, next) => {
    const header = req.get('authorization');
    const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    try {
      if (!bearer) {
        throw new ApiError(
          401,
          ErrorCode.AUTH_MISSING,
          'the MCP endpoint needs a bearer token: Authorization: Bearer <personal MCP token (POST /api/auth/tokens) or web-app access token>',
        );
      }
      let caller: McpCaller;
      if (bearer.startsWith(MCP_TOKEN_PREFIX)) {
        const t = await d.tokens.authenticate(bearer);
        caller = { user: t.user, principal: `mcp_token:${t.tokenId}` };
      } else {
        caller = { user: await d.auth.authenticate(bearer), principal: 'access_token' };
      }
      res.locals.mcpCaller = caller;
      next();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        res.setHeader('WWW-Authenticate', REALM);
        log.warn('MCP call refused', { code: err.code, ip: req.socket.remoteAddress });
      }
      next(err);
    }
  };

  const record = async (call: ToolCallRecord, via: string, ip: string | null) => {
    d.metrics.countToolCall(call);
    log.info('MCP tool call', {
      tool: call.tool,
      user_id: call.userId,
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
        userId: call.userId,
        email: call.email,
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

  router.all('/mcp', checkOrigin(d.allowedOrigins), failures, authenticate, async (req, res) => {
    const caller = res.locals.mcpCaller as McpCaller;
    const via = req.get('x-meterit-mcp-via') === 'stdio-bridge' ? 'stdio-bridge' : 'http';
    const ip = req.socket.remoteAddress ?? null;
    const handle = createMcpHttpHandler({
      createServer: () =>
        createClientMcpServer(d.ops, {
          user: caller.user,
          principal: caller.principal,
          ...(d.version ? { version: d.version } : {}),
          onToolCall: (call) => record(call, via, ip),
          onInternalError: (tool, err) =>
            log.error('MCP tool failed', { tool, error: (err as Error).message, stack: (err as Error).stack }),
        }),
      onError: (err) => log.error('MCP request failed', { error: err.message, stack: err.stack }),
    });
    await handle(req, res);
  });
  return router;
}

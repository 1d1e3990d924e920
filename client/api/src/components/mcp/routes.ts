import { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { ErrorCode } from '@meterit/shared';
import { failedCredentialLimits, type Logger } from '@meterit/shared/node';
import { checkMcpOrigin, createToolCallRecorder, mcpRequestSource } from '@meterit/shared/mcp-server';
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
 * POST /mcp: the client MCP server over Streamable HTTP on the API's own port. The bearer token is a
 * web-app access token (JWT) or a personal MCP token (mcp_…, POST /api/auth/tokens); either way the
 * caller is that user with the user's current role and sites. No or a bad token is 401. Every tool
 * call goes to the audit log (mcp_audit) and the metrics.
 */
export function mcpRouter(d: McpRouteDeps): Router {
  const log = d.logger.child({ module: 'mcp' });
  const router = Router();
  // Only refused credentials count.
  const failures = rateLimit(
    failedCredentialLimits(
      () =>
        new ApiError(
          429,
          ErrorCode.RATE_LIMITED,
          'too many failed attempts with a wrong or missing MCP token; wait five minutes',
        ),
    ),
  );

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

  const record = createToolCallRecorder({
    countToolCall: (call: ToolCallRecord) => d.metrics.countToolCall(call),
    audit: d.audit,
    log,
    who: (call) => ({ log: { user_id: call.userId }, audit: { userId: call.userId, email: call.email } }),
  });
  const checkOrigin = checkMcpOrigin(d.allowedOrigins, (message) => new ApiError(403, ErrorCode.FORBIDDEN, message));

  router.all('/mcp', checkOrigin, failures, authenticate, async (req, res) => {
    const caller = res.locals.mcpCaller as McpCaller;
    const source = mcpRequestSource(req);
    const handle = createMcpHttpHandler({
      createServer: () =>
        createClientMcpServer(d.ops, {
          user: caller.user,
          principal: caller.principal,
          ...(d.version ? { version: d.version } : {}),
          onToolCall: (call) => record(call, source),
          onInternalError: (tool, err) =>
            log.error('MCP tool failed', { tool, error: (err as Error).message, stack: (err as Error).stack }),
        }),
      onError: (err) => log.error('MCP request failed', { error: err.message, stack: err.stack }),
    });
    await handle(req, res);
  });
  return router;
}

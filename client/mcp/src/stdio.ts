#!/usr/bin/env node
// `node client/mcp/dist/stdio.js`: the command a desktop assistant starts. MCP on stdin/stdout,
// forwarded to the running client API's /mcp. stdout belongs to the protocol: logs go to stderr.
import { createLogger } from '@meterit/shared/node';
import { startStdioBridge } from './bridge.js';

const DEFAULT_URL = 'http://127.0.0.1:3001/mcp';

const logger = createLogger({ service: 'client-mcp-stdio', level: process.env.LOG_LEVEL ?? 'warn', stream: 'stderr' });
const url = process.env.CLIENT_MCP_URL || DEFAULT_URL;
const token = process.env.MCP_TOKEN || undefined;

if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
  logger.error('CLIENT_MCP_URL must be an http(s) URL such as http://127.0.0.1:3001/mcp', { CLIENT_MCP_URL: url });
  process.exit(2);
}
if (!token)
  logger.warn(
    'MCP_TOKEN is not set: the client system will refuse every call (401). Create a token in the web app or with POST /api/auth/tokens.',
  );

const bridge = await startStdioBridge({ url, token, logger, version: process.env.CLIENT_MCP_VERSION });

const stop = () => {
  void bridge.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);

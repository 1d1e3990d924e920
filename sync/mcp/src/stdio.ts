#!/usr/bin/env node
// `node sync/mcp/dist/stdio.js`: the command a desktop assistant starts. MCP on stdin/stdout,
// forwarded to the running agent's /mcp. stdout belongs to the protocol: logs go to stderr.
import { createLogger } from '@meterit/shared/node';
import { startStdioBridge } from './bridge.js';

const DEFAULT_URL = 'http://127.0.0.1:3002/mcp';

const logger = createLogger({ service: 'sync-mcp-stdio', level: process.env.LOG_LEVEL ?? 'warn', stream: 'stderr' });
const url = process.env.AGENT_MCP_URL || DEFAULT_URL;
const operatorToken = process.env.LOCAL_API_TOKEN || undefined;
const viewerToken = process.env.LOCAL_API_VIEWER_TOKEN || undefined;

if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
  logger.error('AGENT_MCP_URL must be an http(s) URL such as http://127.0.0.1:3002/mcp', { AGENT_MCP_URL: url });
  process.exit(2);
}
if (!operatorToken && !viewerToken) {
  logger.warn('neither LOCAL_API_TOKEN nor LOCAL_API_VIEWER_TOKEN is set: the agent will refuse every call (401)');
}

const bridge = await startStdioBridge({
  url,
  token: operatorToken ?? viewerToken,
  role: operatorToken ? 'operator' : 'viewer',
  logger,
  version: process.env.AGENT_VERSION,
});

const stop = () => {
  void bridge.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);

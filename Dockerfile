# One image build for the workspace; docker-compose.yml picks a target per deployable.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY pnpm-workspace.yaml pnpm-lock.yaml package.json tsconfig.base.json ./
# Every workspace package's manifest, so the install layer is cached until a dependency changes
# (proof/test/deployment.test.ts checks that none is missing).
COPY shared/package.json shared/
COPY client/api/package.json client/api/
COPY client/web/package.json client/web/
COPY client/mcp/package.json client/mcp/
COPY sync/agent/package.json sync/agent/
COPY sync/web/package.json sync/web/
COPY sync/mcp/package.json sync/mcp/
COPY sync/simulator/package.json sync/simulator/
COPY proof/package.json proof/
RUN pnpm install --frozen-lockfile
COPY . .
# Every package, the two web apps included (vite → client/web/dist, sync/web/dist): the API serves the
# operators' app and the agent the technicians' dashboard from those folders. Fail here, not at run time,
# if either is missing.
RUN pnpm -r build \
 && test -f client/web/dist/index.html \
 && test -f sync/web/dist/index.html \
 && pnpm prune --prod

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
# Built packages with their dist folders (client/web/dist and sync/web/dist included) and production dependencies.
COPY --from=build --chown=node:node /app /app
# The agent's data volume is mounted here; created owned by node so a new named volume is writable.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

FROM runtime AS client-api
EXPOSE 3001
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD ["node", "-e", "const s=!!process.env.TLS_CERT_FILE;require(s?'https':'http').get((s?'https':'http')+'://127.0.0.1:'+(process.env.PORT||3001)+'/health',{rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
CMD ["node", "client/api/dist/main.js"]

FROM runtime AS sync-agent
# The technicians' dashboard (sync/web/dist) and local API (LAN only; see LOCAL_API_* in sync/agent/.env.example).
EXPOSE 3002
CMD ["node", "sync/agent/dist/main.js"]

FROM runtime AS simulator
CMD ["node", "sync/simulator/dist/cli.js", "--meters", "5", "--base-address", "127.0.0.10", "--port", "47808"]

# One image build for the workspace; docker-compose.yml picks a target per deployable.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY pnpm-workspace.yaml pnpm-lock.yaml package.json tsconfig.base.json ./
# Every workspace package's manifest, so the install layer is cached until a dependency changes.
COPY shared/package.json shared/
COPY client/api/package.json client/api/
COPY client/web/package.json client/web/
COPY sync/agent/package.json sync/agent/
COPY sync/web/package.json sync/web/
COPY sync/mcp/package.json sync/mcp/
COPY sync/simulator/package.json sync/simulator/
COPY proof/package.json proof/
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm -r build && pnpm prune --prod

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node

FROM runtime AS client-api
EXPOSE 3001
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "client/api/dist/main.js"]

FROM runtime AS sync-agent
# The technicians' dashboard and local API (LAN only; see LOCAL_API_* in sync/agent/.env.example).
EXPOSE 3002
CMD ["node", "sync/agent/dist/main.js"]

FROM runtime AS simulator
CMD ["node", "sync/simulator/dist/cli.js", "--meters", "5", "--base-address", "127.0.0.10", "--port", "47808"]

#!/usr/bin/env bash
# Start the MeterIT site agent (BACnet collection, local queue, upload) for production.
# Configuration comes from the environment or sync/agent/.env (see sync/agent/.env.example).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here/sync/agent"
if [ -f .env ]; then set -a; . ./.env; set +a; fi
if [ ! -f dist/main.js ]; then
  echo "sync/agent is not built yet: run 'pnpm install && pnpm build' in $here first" >&2
  exit 1
fi
exec node dist/main.js

#!/usr/bin/env bash
# Start the MeterIT client system (API + central database) for production.
# Configuration comes from the environment or client/api/.env (see client/api/.env.example).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here/client/api"
if [ -f .env ]; then set -a; . ./.env; set +a; fi
if [ ! -f dist/main.js ]; then
  echo "client/api is not built yet: run 'pnpm install && pnpm build' in $here first" >&2
  exit 1
fi
exec node dist/main.js

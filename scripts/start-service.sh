#!/usr/bin/env bash
# Start one built MeterIT service for production: scripts/start-service.sh <package dir>, e.g. client/api.
# Its configuration comes from the environment or <package dir>/.env (see its .env.example).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="${1:?usage: start-service.sh <package dir, e.g. client/api or sync/agent>}"
cd "$here/$pkg"
if [ -f .env ]; then set -a; . ./.env; set +a; fi
if [ ! -f dist/main.js ]; then
  echo "$pkg is not built yet: run 'pnpm install && pnpm build' in $here first" >&2
  exit 1
fi
exec node dist/main.js

#!/usr/bin/env bash
# Start the MeterIT client system (API + central database) for production.
# Configuration comes from the environment or client/api/.env (see client/api/.env.example).
exec "$(dirname "${BASH_SOURCE[0]}")/start-service.sh" client/api

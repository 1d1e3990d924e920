#!/usr/bin/env bash
# Start the MeterIT site agent (BACnet collection, local queue, upload) for production.
# Configuration comes from the environment or sync/agent/.env (see sync/agent/.env.example).
exec "$(dirname "${BASH_SOURCE[0]}")/start-service.sh" sync/agent

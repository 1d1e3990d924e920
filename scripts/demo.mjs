#!/usr/bin/env node
// The whole MeterIT demo on embedded defaults, in one command (run through `pnpm demo`):
// the client system (API + embedded PostgreSQL), a BACnet simulator of a few meters,
// and a site agent polling them and syncing to the client system.
// Ctrl-C stops everything cleanly; a second run reuses the data in .data/.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.join(root, '.data');
const logs = path.join(data, 'logs');
mkdirSync(logs, { recursive: true });

const clientPort = Number(process.env.DEMO_CLIENT_PORT ?? 3001);
const meters = Number(process.env.DEMO_METERS ?? 5);
const agentAddress = process.env.DEMO_AGENT_ADDRESS ?? '127.0.0.2';
const meterBaseAddress = process.env.DEMO_METER_BASE_ADDRESS ?? '127.0.0.10';
const clientUrl = `http://127.0.0.1:${clientPort}`;
const dashboardPort = Number(process.env.DEMO_DASHBOARD_PORT ?? 3002);

const say = (msg) => process.stdout.write(`[demo] ${msg}\n`);

function tcpFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function udpFree(address, port) {
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', () => resolve(false));
    s.bind(port, address, () => s.close(() => resolve(true)));
  });
}

const children = [];

/** Start a child whose JSON log lines are kept in a file and shown here in short form. */
function start(name, script, args, env) {
  const file = createWriteStream(path.join(logs, `${name}.log`), { flags: 'a' });
  // Own process group: Ctrl-C reaches only this script, which then stops the parts in order
  // (agent first, so it can finish its batch while the client system still answers).
  const child = spawn(process.execPath, [script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const show = (chunk) => {
    file.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        process.stdout.write(`[${name}] ${line}\n`);
        continue;
      }
      if (entry.level === 'debug') continue;
      const { level, message, timestamp: _t, service: _s, module: _m, ...rest } = entry;
      const extra = Object.entries(rest)
        .filter(([, v]) => typeof v !== 'object' || v === null)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      process.stdout.write(
        `[${name}] ${level === 'info' ? '' : level.toUpperCase() + ' '}${message}${extra ? '  ' + extra : ''}\n`,
      );
    }
  };
  child.stdout.on('data', show);
  child.stderr.on('data', show);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(
        `${name} exited unexpectedly (code ${code}, signal ${signal}); see ${path.join(logs, name + '.log')}. Stopping the demo.`,
      );
      void stopAll(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function waitFor(url, what, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  // Agent first (it finishes its in-flight batch), then the simulator, then the client system.
  for (const { name, child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    await new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
    say(`${name} stopped`);
  }
  say('all stopped. Run `pnpm demo` again to continue with the same data (in .data/).');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
// Whatever happens to this script, its parts do not outlive it.
process.on('exit', () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
process.on('SIGTERM', () => void stopAll(0));

async function main() {
  const problems = [];
  if (!(await tcpFree(clientPort)))
    problems.push(`TCP port ${clientPort} (client API) is in use: set DEMO_CLIENT_PORT`);
  if (!(await tcpFree(dashboardPort)))
    problems.push(`TCP port ${dashboardPort} (site dashboard) is in use: set DEMO_DASHBOARD_PORT`);
  for (const p of [5433, 5434])
    if (!(await tcpFree(p))) problems.push(`TCP port ${p} (embedded PostgreSQL) is in use: is another demo running?`);
  if (!(await udpFree(agentAddress, 47808))) problems.push(`UDP ${agentAddress}:47808 (agent BACnet) is in use`);
  if (problems.length) {
    for (const p of problems) say(`cannot start: ${p}`);
    process.exit(1);
  }

  say(`starting the client system on ${clientUrl} (first start initialises its database; takes a few seconds)`);
  start('client-api', 'client/api/dist/main.js', [], {
    PORT: String(clientPort),
    HOST: '127.0.0.1',
    CLIENT_DATA_DIR: path.join(data, 'client'),
    EMBEDDED_PG_PORT: '5433',
  });
  await waitFor(`${clientUrl}/ready`, 'the client system');

  const keyFile = path.join(data, 'demo-site.json');
  const site = JSON.parse(
    execFileSync(
      process.execPath,
      ['client/api/dist/cli/create-site.js', '--name', 'Demo site', '--if-missing-key-file', keyFile],
      {
        cwd: root,
        env: {
          ...process.env,
          CLIENT_DATA_DIR: path.join(data, 'client'),
          EMBEDDED_PG_PORT: '5433',
          LOG_LEVEL: 'warn',
        },
        encoding: 'utf8',
      },
    ),
  );
  say(`site "${site.site_name}" (id ${site.site_id}); its API key is kept in ${keyFile}`);

  const metersFile = path.join(data, 'demo-meters.json');
  say(`starting the BACnet simulator: ${meters} meters from ${meterBaseAddress}, UDP 47808`);
  start(
    'simulator',
    'sync/simulator/dist/cli.js',
    [
      '--meters',
      String(meters),
      '--base-address',
      meterBaseAddress,
      '--port',
      '47808',
      '--base-device-id',
      '1001',
      '--write-meters-json',
      metersFile,
    ],
    {},
  );
  for (let i = 0; i < 50 && !existsSync(metersFile); i++) await new Promise((r) => setTimeout(r, 200));

  // The technicians' control credential for the site dashboard, made once and kept with the demo's data.
  const tokenFile = path.join(data, 'demo-local-token.txt');
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
  const localToken = readFileSync(tokenFile, 'utf8').trim();

  say('starting the site agent (collects every 10 s, syncs every 30 s)');
  start('agent', 'sync/agent/dist/main.js', [], {
    CLIENT_API_URL: `${clientUrl}/api`,
    CLIENT_API_KEY: site.api_key,
    METERS_FILE: metersFile,
    SYNC_DATA_DIR: path.join(data, 'sync'),
    EMBEDDED_PG_PORT: '5434',
    BACNET_INTERFACE: agentAddress,
    BACNET_PORT: '47808',
    BACNET_BROADCAST_ADDRESS: '127.255.255.255',
    COLLECTION_INTERVAL_SECONDS: '10',
    SYNC_INTERVAL_MINUTES: '0.5',
    HEARTBEAT_INTERVAL_SECONDS: '30',
    LOCAL_API_HOST: '127.0.0.1',
    LOCAL_API_PORT: String(dashboardPort),
    LOCAL_API_TOKEN: localToken,
  });

  const adminFile = path.join(data, 'client', 'initial-admin.json');
  let admin;
  try {
    admin = JSON.parse(readFileSync(adminFile, 'utf8'));
  } catch {
    admin = undefined;
  }
  say('');
  say('MeterIT demo is running:');
  say(`  operators' web app  ${clientUrl}/`);
  say(
    admin
      ? `  log in as          ${admin.email} / ${admin.password}   (generated on first start; kept in ${adminFile})`
      : `  log in as          the admin you created (ADMIN_EMAIL / ADMIN_PASSWORD); ${adminFile} does not exist`,
  );
  say(`  client system API   ${clientUrl}/api   (health: ${clientUrl}/health)`);
  say(`  simulated meters    ${meters} BACnet/IP devices at ${meterBaseAddress}… (meters.json: ${metersFile})`);
  say(
    `  site dashboard      http://127.0.0.1:${dashboardPort}/   (control actions: log in with ${localToken}, kept in ${tokenFile})`,
  );
  say(`  site agent          BACnet on ${agentAddress}:47808, local queue in .data/sync`);
  say(`  AI assistants       MCP at ${clientUrl}/mcp and http://127.0.0.1:${dashboardPort}/mcp (see README)`);
  say(`  logs                ${logs}`);
  say('Press Ctrl-C to stop everything.');
}

main().catch((err) => {
  say(`failed: ${err.message}`);
  void stopAll(1);
});

#!/usr/bin/env node
// The whole MeterIT demo on embedded defaults, in one command (run through `pnpm demo`):
// the client system (API + embedded PostgreSQL), a BACnet simulator of a few meters,
// and a site agent polling them and syncing to the client system.
// Ctrl-C (or q) stops everything cleanly; a second run reuses the data in .data/.
// Outages: `--outage SECONDS` stops the client system a moment after the demo is up and starts it again
// SECONDS later; in a terminal, the key o stops / starts it whenever you like.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.resolve(process.env.DEMO_DATA_DIR ?? path.join(root, '.data'));
const logs = path.join(data, 'logs');
mkdirSync(logs, { recursive: true });

const clientPort = Number(process.env.DEMO_CLIENT_PORT ?? 3001);
const meters = Number(process.env.DEMO_METERS ?? 5);
const agentAddress = process.env.DEMO_AGENT_ADDRESS ?? '127.0.0.2';
const meterBaseAddress = process.env.DEMO_METER_BASE_ADDRESS ?? '127.0.0.10';
const clientUrl = `http://127.0.0.1:${clientPort}`;
const dashboardPort = Number(process.env.DEMO_DASHBOARD_PORT ?? 3002);
const clientPgPort = Number(process.env.DEMO_CLIENT_PG_PORT ?? 5433);
const sitePgPort = Number(process.env.DEMO_SITE_PG_PORT ?? 5434);

const USAGE = `usage: pnpm demo [--outage SECONDS [--outage-after SECONDS]]
  --outage SECONDS        stop the client system a moment after the demo is up, start it again SECONDS later
  --outage-after SECONDS  how long the demo runs before that outage (default 10)`;
let options;
try {
  // \`pnpm demo -- --outage 120\` hands the script the "--" too.
  ({ values: options } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      outage: { type: 'string' },
      'outage-after': { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  process.stderr.write(`${err.message}\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const seconds = (name) => {
  const v = Number(options[name]);
  if (!Number.isFinite(v) || v < 0) {
    process.stderr.write(`--${name} must be a number of seconds, got "${options[name]}"\n${USAGE}\n`);
    process.exit(2);
  }
  return v;
};
const outageSeconds = options.outage === undefined ? undefined : seconds('outage');
const outageAfterSeconds = seconds('outage-after');

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

/** The running parts by name; stopped in the reverse order of starting. */
const children = new Map();
/** Parts stopped on purpose (an outage): their exit does not stop the demo. */
const stoppedOnPurpose = new Set();

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
  child.once('close', () => file.end());
  child.on('exit', (code, signal) => {
    if (stoppedOnPurpose.has(name)) return;
    if (!stopping) {
      say(
        `${name} exited unexpectedly (code ${code}, signal ${signal}); see ${path.join(logs, name + '.log')}. Stopping the demo.`,
      );
      void stopAll(1);
    }
  });
  // A restarted part keeps its place in the order (Map.set on a known key does not move it).
  children.set(name, child);
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

const running = (child) => child.exitCode === null && child.signalCode === null;

/** SIGTERM to the part's own PID, and wait until it has exited (it stops its embedded PostgreSQL first). */
function stopChild(child) {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  keys(false);
  say('stopping…');
  // Agent first (it finishes its in-flight batch), then the simulator, then the client system.
  for (const [name, child] of [...children].reverse()) {
    if (!running(child)) continue;
    await stopChild(child);
    say(`${name} stopped`);
  }
  say(`all stopped. Run \`pnpm demo\` again to continue with the same data (in ${data}).`);
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
process.on('SIGHUP', () => void stopAll(0));
// Whatever happens to this script, its parts do not outlive it.
process.on('exit', () => {
  keys(false);
  for (const child of children.values()) if (running(child)) child.kill('SIGKILL');
});

const clientEnv = () => ({
  CLIENT_DATA_DIR: path.join(data, 'client'),
  EMBEDDED_PG_PORT: String(clientPgPort),
});

async function startClient() {
  stoppedOnPurpose.delete('client-api');
  start('client-api', 'client/api/dist/main.js', [], { PORT: String(clientPort), HOST: '127.0.0.1', ...clientEnv() });
  await waitFor(`${clientUrl}/ready`, 'the client system');
}

/** What the site dashboard says about the backlog, in words; empty when the agent does not answer. */
async function backlogInWords() {
  try {
    const res = await fetch(`http://127.0.0.1:${dashboardPort}/api/status`, { signal: AbortSignal.timeout(2000) });
    const { backlog, uplink } = await res.json();
    return `the site's backlog is ${backlog.count} readings, uplink ${uplink.state}`;
  } catch {
    return '';
  }
}

let clientUp = true;
let switching = false;
/** The outage switch: stop the client system alone (the site keeps collecting and queueing), or start it again. */
async function switchClient(up, why) {
  if (switching || stopping || up === clientUp) return;
  switching = true;
  try {
    if (!up) {
      say(`outage: stopping the client system (${why}); the agent keeps collecting and queues its readings`);
      stoppedOnPurpose.add('client-api');
      const child = children.get('client-api');
      if (child) await stopChild(child);
      clientUp = false;
      say(`outage: the client system is down; watch the backlog grow on http://127.0.0.1:${dashboardPort}/`);
    } else {
      const before = await backlogInWords();
      say(`recovery: starting the client system again (${why})${before ? `; ${before}` : ''}`);
      await startClient();
      clientUp = true;
      say(
        `recovery: the client system is back on ${clientUrl}; the agent reports the outage and sends its backlog at its next sync`,
      );
    }
  } finally {
    switching = false;
  }
}

/** In a terminal: o switches the client system off/on, q (or Ctrl-C) quits. Raw mode, so Ctrl-C comes as a key. */
function keys(on) {
  if (!process.stdin.isTTY) return;
  if (!on) {
    if (process.stdin.isRaw) process.stdin.setRawMode(false);
    process.stdin.pause();
    return;
  }
  // Ctrl-C arrives here instead of as SIGINT to the whole terminal: pnpm, which runs this script, would end at
  // once with "ELIFECYCLE Command failed" while this script is still stopping the parts.
  process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.resume();
  process.stdin.on('data', (key) => {
    if (key === 'o' || key === 'O')
      void switchClient(!clientUp, 'key o').catch((err) => {
        say(`could not switch the client system: ${err.message}`);
        void stopAll(1);
      });
    else if (key === 'q' || key === 'Q' || key === '\u0003' || key === '\u0004') void stopAll(0);
  });
}

async function main() {
  const problems = [];
  if (!(await tcpFree(clientPort)))
    problems.push(`TCP port ${clientPort} (client API) is in use: set DEMO_CLIENT_PORT`);
  if (!(await tcpFree(dashboardPort)))
    problems.push(`TCP port ${dashboardPort} (site dashboard) is in use: set DEMO_DASHBOARD_PORT`);
  for (const p of [clientPgPort, sitePgPort])
    if (!(await tcpFree(p))) problems.push(`TCP port ${p} (embedded PostgreSQL) is in use: is another demo running?`);
  if (!(await udpFree(agentAddress, 47808))) problems.push(`UDP ${agentAddress}:47808 (agent BACnet) is in use`);
  if (problems.length) {
    for (const p of problems) say(`cannot start: ${p}`);
    process.exit(1);
  }

  say(`starting the client system on ${clientUrl} (first start initialises its database; takes a few seconds)`);
  await startClient();

  const keyFile = path.join(data, 'demo-site.json');
  const site = JSON.parse(
    execFileSync(
      process.execPath,
      ['client/api/dist/cli/create-site.js', '--name', 'Demo site', '--if-missing-key-file', keyFile],
      {
        cwd: root,
        env: { ...process.env, ...clientEnv(), LOG_LEVEL: 'warn' },
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
    EMBEDDED_PG_PORT: String(sitePgPort),
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
  await waitFor(`http://127.0.0.1:${dashboardPort}/health`, 'the site agent');

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
      ? `  log in as          ${admin.email} / ${admin.password}   (generated on first start, kept in ${adminFile}; the first login asks you to choose your own)`
      : `  log in as          the admin you created (ADMIN_EMAIL / ADMIN_PASSWORD); ${adminFile} does not exist`,
  );
  say(`  client system API   ${clientUrl}/api   (health: ${clientUrl}/health)`);
  say(`  simulated meters    ${meters} BACnet/IP devices at ${meterBaseAddress}… (meters.json: ${metersFile})`);
  say(
    `  site dashboard      http://127.0.0.1:${dashboardPort}/   (control actions: log in with ${localToken}, kept in ${tokenFile})`,
  );
  say(`  site agent          BACnet on ${agentAddress}:47808, local queue in ${path.join(data, 'sync')}`);
  say(`  AI assistants       MCP at ${clientUrl}/mcp and http://127.0.0.1:${dashboardPort}/mcp (see README)`);
  say(`  logs                ${logs}`);
  if (process.stdin.isTTY) {
    say('Keys: o stops the client system (an outage) / starts it again, q or Ctrl-C stops everything.');
    keys(true);
  } else say('Press Ctrl-C to stop everything.');
  if (outageSeconds !== undefined) {
    say(`an outage of ${outageSeconds} s starts in ${outageAfterSeconds} s (--outage)`);
    await sleep(outageAfterSeconds * 1000);
    await switchClient(false, `--outage ${outageSeconds}`);
    await sleep(outageSeconds * 1000);
    await switchClient(true, `after the --outage of ${outageSeconds} s`);
  }
}

main().catch((err) => {
  say(`failed: ${err.message}`);
  void stopAll(1);
});

import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { readCommandLine } from './command-line.js';
import { setupSite, type Io } from '../installer/setup-site.js';
import { BBMD_TTL_SECONDS, parseBbmdAddress } from '../meters/bacnet/index.js';

// The installer's command: interactive by default, fully non-interactive with --yes and flags/env.
const usage = `Usage: setup-site [options]
  --client-url URL          client system API (env CLIENT_API_URL)
  --api-key KEY             this site's API key (env CLIENT_API_KEY)
  --interface ADDR          local address for BACnet (env BACNET_INTERFACE, default 0.0.0.0)
  --port N                  BACnet UDP port (env BACNET_PORT, default 47808)
  --broadcast ADDR          Who-Is broadcast address (env BACNET_BROADCAST_ADDRESS; default: the interface's)
  --discover ADDR[,ADDR]    send Who-Is to these addresses (ip or ip:port) instead of broadcasting
  --discover-seconds N      how long to wait for I-Am answers (default 5)
  --bbmd ADDR[:PORT]        meters on another IP subnet: register as a foreign device with their
                            network's BBMD and send Who-Is through it (env BACNET_BBMD_ADDRESS;
                            registration lasts BACNET_BBMD_TTL_SECONDS, default 300); written to .env
  --device-range LOW-HIGH   only devices with ids in this range
  --target-dir DIR          where .env, meters.json, the unit and the report go (default sync/agent)
  --data-dir DIR            agent data folder, embedded database (env SYNC_DATA_DIR, default .data/sync)
  --database-url URL        use an existing PostgreSQL instead of the embedded one (env LOCAL_DATABASE_URL)
  --local-token TOKEN       the site dashboard's control credential (env LOCAL_API_TOKEN; default: generated)
  --install-service         install and start the systemd unit
  --allow-insecure-http     allow plain http to a non-loopback client system
  --yes                     non-interactive: accept the proposal, ask nothing
  --help`;

const here = path.dirname(fileURLToPath(import.meta.url));
const agentRoot = path.resolve(here, '../..');
const repoRoot = path.resolve(agentRoot, '../..');

async function main(): Promise<number> {
  const cmd = readCommandLine(
    {
      'client-url': { type: 'string' },
      'api-key': { type: 'string' },
      interface: { type: 'string' },
      port: { type: 'string' },
      broadcast: { type: 'string' },
      discover: { type: 'string' },
      'discover-seconds': { type: 'string' },
      bbmd: { type: 'string' },
      'device-range': { type: 'string' },
      'target-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'embedded-pg-port': { type: 'string' },
      'local-token': { type: 'string' },
      'install-service': { type: 'boolean', default: false },
      'allow-insecure-http': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    usage,
  );
  if ('exitCode' in cmd) return cmd.exitCode;
  const args = cmd.values;
  const env = process.env;
  const port = Number(args.port ?? env.BACNET_PORT ?? 47808);
  const seconds = Number(args['discover-seconds'] ?? 5);
  const range = args['device-range']?.split('-').map(Number);
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`--port must be 1..65535, got ${args.port}`);
  if (!(seconds > 0 && seconds <= 120))
    problems.push(`--discover-seconds must be between 0 and 120, got ${args['discover-seconds']}`);
  if (range && (range.length !== 2 || range.some((n) => !Number.isInteger(n) || n < 0 || n > 4194303)))
    problems.push(`--device-range must be LOW-HIGH device ids, got ${args['device-range']}`);
  if (args.yes && !(args['client-url'] ?? env.CLIENT_API_URL))
    problems.push('--client-url (or CLIENT_API_URL) is required with --yes');
  if (args.yes && !(args['api-key'] ?? env.CLIENT_API_KEY))
    problems.push('--api-key (or CLIENT_API_KEY) is required with --yes');
  let bbmd: { address: string; ttlSeconds: number } | undefined;
  const bbmdText = args.bbmd ?? (env.BACNET_BBMD_ADDRESS || undefined);
  if (bbmdText !== undefined) {
    const ttlSeconds = Number(env.BACNET_BBMD_TTL_SECONDS || BBMD_TTL_SECONDS.default);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < BBMD_TTL_SECONDS.min || ttlSeconds > BBMD_TTL_SECONDS.max) {
      problems.push(
        `BACNET_BBMD_TTL_SECONDS must be ${BBMD_TTL_SECONDS.min}..${BBMD_TTL_SECONDS.max}, got ${env.BACNET_BBMD_TTL_SECONDS}`,
      );
    }
    try {
      bbmd = { address: parseBbmdAddress(bbmdText), ttlSeconds };
    } catch (err) {
      problems.push(`--bbmd: ${(err as Error).message}`);
    }
  }
  const localToken = args['local-token'] ?? env.LOCAL_API_TOKEN;
  if (localToken !== undefined && localToken.length < 16)
    problems.push('--local-token must be at least 16 characters (it guards the start/stop and sync-now buttons)');
  if (problems.length) {
    process.stderr.write(problems.map((p) => `setup-site: ${p}`).join('\n') + '\n');
    return 2;
  }

  const rl = args.yes
    ? null
    : createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY ?? false });
  const lines = rl ? rl[Symbol.asyncIterator]() : null;
  const io: Io = {
    say: (line) => process.stdout.write(line + '\n'),
    async ask(question, def) {
      process.stdout.write(`${question}${def ? ` [${def}]` : ''}: `);
      const next = await lines!.next();
      const answer = next.done ? '' : String(next.value);
      if (!process.stdin.isTTY) process.stdout.write(answer + '\n');
      return answer.trim() === '' ? (def ?? '') : answer;
    },
  };
  const result = await setupSite(
    {
      clientUrl: args['client-url'] ?? env.CLIENT_API_URL,
      apiKey: args['api-key'] ?? env.CLIENT_API_KEY,
      allowInsecureHttp: args['allow-insecure-http'],
      bacnetInterface: args.interface ?? env.BACNET_INTERFACE ?? '0.0.0.0',
      bacnetPort: port,
      broadcast: args.broadcast ?? env.BACNET_BROADCAST_ADDRESS,
      discoverAddresses: args.discover
        ? args.discover
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
      discoverTimeoutMs: seconds * 1000,
      bbmd,
      deviceLow: range?.[0],
      deviceHigh: range?.[1],
      targetDir: path.resolve(args['target-dir'] ?? agentRoot),
      dataDir: path.resolve(args['data-dir'] ?? env.SYNC_DATA_DIR ?? path.join(repoRoot, '.data/sync')),
      embeddedPgPort: Number(args['embedded-pg-port'] ?? env.EMBEDDED_PG_PORT ?? 5434),
      databaseUrl: args['database-url'] ?? env.LOCAL_DATABASE_URL,
      interactive: !args.yes,
      installService: args['install-service'],
      localApiToken: args['local-token'] ?? env.LOCAL_API_TOKEN,
      agentVersion: env.AGENT_VERSION ?? '0.1.0',
      nodePath: process.execPath,
      agentEntry: path.join(agentRoot, 'dist/main.js'),
    },
    io,
  );
  rl?.close();
  process.stdout.write('\n' + result.text + '\n');
  if (result.files)
    process.stdout.write(`\nReport saved to ${result.files.reportText} and ${result.files.reportJson}\n`);
  return result.report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`setup-site failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { readCommandLine } from './command-line.js';
import { rotateAgentKey, RotateKeyError } from '../installer/rotate-key.js';

// Put a new site API key on this agent (after an operator rotated it in the web app).
const usage = `Usage: rotate-key [options]
  Checks the new key with the client system (same site as the current one), writes it to the
  agent's .env and, with --restart, restarts the agent's service. Without --api-key the key is
  read from standard input (so it does not show in the process list or the shell history).
  --config FILE     the agent's .env (default sync/agent/.env)
  --api-key KEY     the new key (mk_…), as shown once by the operators' web app
  --restart         restart meterit-agent.service afterwards (systemd; needs root)
  --help`;

const agentRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function readKey(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY ?? false });
  try {
    if (process.stdin.isTTY) return await rl.question('New API key for this site (paste it, then Enter): ');
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const cmd = readCommandLine(
    {
      config: { type: 'string' },
      'api-key': { type: 'string' },
      restart: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    usage,
  );
  if ('exitCode' in cmd) return cmd.exitCode;
  const args = cmd.values;
  const envFile = path.resolve(args.config ?? path.join(agentRoot, '.env'));
  const newKey = args['api-key'] ?? (await readKey());
  try {
    const r = await rotateAgentKey({ envFile, newKey });
    process.stdout.write(
      `The client system accepts the new key for site "${r.site.name}" (id ${r.site.id}); CLIENT_API_KEY replaced in ${r.envFile}.\n`,
    );
    if (args.restart) {
      try {
        execFileSync('systemctl', ['restart', 'meterit-agent.service'], { stdio: 'inherit' });
        process.stdout.write('meterit-agent.service restarted: the agent uploads with the new key now.\n');
      } catch (err) {
        process.stderr.write(
          `rotate-key: the key is saved, but restarting meterit-agent.service failed (${(err as Error).message}). Restart the agent by hand: sudo systemctl restart meterit-agent\n`,
        );
        return 1;
      }
    } else {
      process.stdout.write(
        'Restart the agent to use it: sudo systemctl restart meterit-agent (or stop and start scripts/start-sync.sh). Restarting loses nothing: readings wait in the local queue.\n',
      );
    }
    process.stdout.write(
      r.oldKeyStillAccepted
        ? 'The old key keeps working until its grace period ends; once the site shows online in the web app, you can revoke it there.\n'
        : 'The client system already refuses the old key: restart the agent now, uploads wait in the local queue until then.\n',
    );
    return 0;
  } catch (err) {
    if (err instanceof RotateKeyError) {
      process.stderr.write(`rotate-key: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`rotate-key failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);

// docker-compose.yml, the Dockerfile and deploy/README.md against the code: every variable compose sets is
// one the code reads, every variable the code needs is set or documented, and the image builds every package.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@meterit/shared/node';
import { loadConfig as loadClientConfig } from '@meterit/client-api';
import { loadConfig as loadAgentConfig } from '@meterit/sync-agent/dist/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');

// --- A reader for the YAML this compose file uses: block maps and lists by indentation, plain or quoted
// scalars, flow lists ([a, b] / ["x", "y"]), comments. Anything else is an error, so the test notices.
type Yaml = string | Yaml[] | { [key: string]: Yaml };

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

function scalar(text: string): Yaml {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t) as Yaml[];
    } catch {
      return t
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    }
  }
  if (t.startsWith('"')) return JSON.parse(t) as string;
  if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  return t;
}

export function parseComposeYaml(source: string): Yaml {
  const lines = source
    .split('\n')
    .map(stripComment)
    .filter((l) => l.trim() !== '')
    .map((l) => ({ indent: l.length - l.trimStart().length, text: l.trim() }));
  let i = 0;
  function block(indent: number): Yaml {
    const first = lines[i];
    if (!first || first.indent !== indent)
      throw new Error(`YAML: expected indentation ${indent} at "${first?.text ?? 'end'}"`);
    if (first.text.startsWith('- ')) {
      const list: Yaml[] = [];
      while (lines[i] && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
        const item = lines[i]!.text.slice(2);
        if (/^[\w.-]+:(\s|$)/.test(item) && !item.startsWith('"'))
          throw new Error(`YAML: maps inside lists are not supported ("${item}")`);
        list.push(scalar(item));
        i += 1;
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    while (lines[i] && lines[i]!.indent === indent) {
      const { text } = lines[i]!;
      const m = /^([^\s:][^:]*?):(?:\s+(.*))?$/.exec(text);
      if (!m) throw new Error(`YAML: cannot read "${text}"`);
      i += 1;
      const key = m[1]!;
      if (m[2] !== undefined && m[2] !== '') map[key] = scalar(m[2]);
      else if (lines[i] && lines[i]!.indent > indent) map[key] = block(lines[i]!.indent);
      else map[key] = '';
    }
    if (lines[i] && lines[i]!.indent > indent) throw new Error(`YAML: unexpected indentation at "${lines[i]!.text}"`);
    return map;
  }
  const doc = block(0);
  if (i !== lines.length) throw new Error(`YAML: could not read from "${lines[i]?.text}"`);
  return doc;
}

// --- What the code reads.
/** Keys of the zod env schemas (`  NAME: z…`) and process.env.NAME reads in a package's sources. */
function keysReadBy(files: string[], srcDir: string): Set<string> {
  const keys = new Set<string>();
  for (const f of files) for (const m of read(f).matchAll(/^\s{2,6}([A-Z][A-Z0-9_]+):/gm)) keys.add(m[1]!);
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of read(p).matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) keys.add(m[1]!);
    }
  };
  walk(srcDir);
  return keys;
}

const CLIENT_KEYS = keysReadBy(
  ['client/api/src/config.ts', 'client/api/src/components/alerts/alerts-config.ts'],
  'client/api/src',
);
const AGENT_KEYS = keysReadBy(['sync/agent/src/config.ts'], 'sync/agent/src');
/** The postgres image's documented variables (hub.docker.com/_/postgres, "Environment Variables"). */
const POSTGRES_IMAGE_KEYS = new Set([
  'POSTGRES_PASSWORD',
  'POSTGRES_USER',
  'POSTGRES_DB',
  'POSTGRES_INITDB_ARGS',
  'POSTGRES_INITDB_WALDIR',
  'POSTGRES_HOST_AUTH_METHOD',
  'PGDATA',
]);
/** Read by Node.js itself in any service. */
const NODE_KEYS = new Set(['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS']);

type Service = {
  image?: string;
  build?: { target?: string };
  env_file?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  ports?: string[];
};
const compose = parseComposeYaml(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;

/** `| `KEY` | …` rows of the deploy/README.md section about one env file. */
function documentedKeys(envFile: string): Set<string> {
  const doc = read('deploy/README.md');
  const start = doc.indexOf(`## \`${path.basename(envFile)}\``);
  if (start < 0) return new Set();
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
}

/** ${VAR:?msg} / ${VAR:-default} / ${VAR} become a value, as compose would substitute them. */
const substituted = (env: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v).replace(/\$\{(\w+)(?::?[-?][^}]*)?\}/g, (_m, name: string) => `from-shell-${name.toLowerCase()}`),
    ]),
  );

function missingKeys(load: (env: Record<string, string>) => unknown, env: Record<string, string>): string[] {
  try {
    load(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [...err.message.matchAll(/^\s*-?\s*([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
  }
}

const SERVICES: Record<
  string,
  { reads: Set<string>; load?: (env: Record<string, string>) => unknown; mustDocument: string[] }
> = {
  'client-db': { reads: POSTGRES_IMAGE_KEYS, mustDocument: ['POSTGRES_PASSWORD'] },
  'site-db': { reads: POSTGRES_IMAGE_KEYS, mustDocument: [] },
  'client-api': {
    reads: CLIENT_KEYS,
    load: loadClientConfig,
    mustDocument: [
      'POSTGRES_PASSWORD',
      'JWT_SECRET',
      'ADMIN_EMAIL',
      'ADMIN_PASSWORD',
      'SMTP_URL',
      'PUBLIC_URL',
      'TRUST_PROXY',
      'TLS_CERT_FILE',
      'TLS_KEY_FILE',
    ],
  },
  'sync-agent': {
    reads: AGENT_KEYS,
    load: loadAgentConfig,
    mustDocument: ['CLIENT_API_URL', 'CLIENT_API_KEY', 'LOCAL_API_TOKEN', 'BACNET_BROADCAST_ADDRESS'],
  },
  simulator: { reads: new Set(), mustDocument: [] },
};

describe('the tiny YAML reader', () => {
  it('when given the shapes the compose file uses, then it reads them as compose does', () => {
    expect(
      parseComposeYaml(
        'a:\n  b: [x, y]\n  c:\n    - "1:2" # note\n    - d\n  e: "q#r"\n  f: ${X:?need X}\n  g: ["CMD", "a b"]\n',
      ),
    ).toEqual({
      a: { b: ['x', 'y'], c: ['1:2', 'd'], e: 'q#r', f: '${X:?need X}', g: ['CMD', 'a b'] },
    });
    expect(() => parseComposeYaml('a:\n  - b: c\n')).toThrow(/maps inside lists/);
  });
});

describe('docker-compose.yml against the code', () => {
  it('when the code is scanned, then the configuration keys are found (the scan itself works)', () => {
    expect([...CLIENT_KEYS]).toEqual(
      expect.arrayContaining([
        'JWT_SECRET',
        'POSTGRES_HOST',
        'SMTP_URL',
        'PUBLIC_URL',
        'TLS_CERT_FILE',
        'READINGS_RETENTION_MONTHS',
      ]),
    );
    expect([...AGENT_KEYS]).toEqual(
      expect.arrayContaining(['CLIENT_API_URL', 'LOCAL_API_TOKEN', 'LOCAL_API_HOST', 'LOG_DIR']),
    );
    expect(Object.keys(services).sort()).toEqual(Object.keys(SERVICES).sort());
  });

  for (const [name, spec] of Object.entries(SERVICES)) {
    it(`when compose sets a variable for ${name}, then the code reads it`, () => {
      const unknown = Object.keys(services[name]?.environment ?? {}).filter(
        (k) => !spec.reads.has(k) && !NODE_KEYS.has(k),
      );
      expect(unknown, `${name} sets variables nothing reads`).toEqual([]);
    });

    it(`when ${name} has an env file, then every key documented for it is read by the code, and the ones it needs are documented`, () => {
      const envFile = services[name]?.env_file;
      if (!envFile) {
        expect(spec.mustDocument).toEqual([]);
        return;
      }
      const documented = documentedKeys(envFile);
      // client.env feeds both the database and the API; each reads its share.
      const readers = Object.entries(SERVICES)
        .filter(([n]) => services[n]?.env_file === envFile)
        .flatMap(([, s]) => [...s.reads]);
      expect(
        [...documented].filter((k) => !readers.includes(k) && !NODE_KEYS.has(k)),
        `${envFile} documents keys nothing reads`,
      ).toEqual([]);
      expect(
        spec.mustDocument.filter((k) => !documented.has(k) && !(k in (services[name]?.environment ?? {}))),
        `not documented for ${envFile}`,
      ).toEqual([]);
    });
  }

  for (const name of ['client-api', 'sync-agent'] as const) {
    it(`when ${name} starts with only what compose sets, then each key it still lacks is documented for its env file`, () => {
      const s = services[name]!;
      const env = substituted(s.environment ?? {});
      const missing = missingKeys(SERVICES[name]!.load!, env);
      expect(
        missing.length,
        'the production start must need something from the env file (else this check proves nothing)',
      ).toBeGreaterThan(0);
      const documented = documentedKeys(s.env_file ?? '');
      expect(missing.filter((k) => !documented.has(k))).toEqual([]);
    });
  }

  it('when the services talk to each other, then ports, database names, users and passwords agree', () => {
    const api = services['client-api']!.environment!;
    const cdb = services['client-db']!.environment!;
    expect(api.POSTGRES_HOST).toBe('client-db');
    expect([api.POSTGRES_DB, api.POSTGRES_USER]).toEqual([cdb.POSTGRES_DB, cdb.POSTGRES_USER]);
    expect(services['client-db']!.env_file).toBe(services['client-api']!.env_file);
    expect(services['client-api']!.ports).toEqual([`${api.PORT}:${api.PORT}`]);
    expect(services['client-api']!.healthcheck!.test!.join(' ')).toContain(`127.0.0.1:${api.PORT}/health`);

    const agent = services['sync-agent']!.environment!;
    const sdb = services['site-db']!.environment!;
    expect(services['sync-agent']).toMatchObject({ network_mode: 'host' });
    expect(agent.LOCAL_POSTGRES_PASSWORD).toBe(sdb.POSTGRES_PASSWORD);
    expect([agent.LOCAL_POSTGRES_DB, agent.LOCAL_POSTGRES_USER]).toEqual([sdb.POSTGRES_DB, sdb.POSTGRES_USER]);
    expect(services['site-db']!.ports).toEqual([`${agent.LOCAL_POSTGRES_HOST}:${agent.LOCAL_POSTGRES_PORT}:5432`]);
    // Host networking: the dashboard must bind the host's addresses, not only loopback.
    expect(agent.LOCAL_API_HOST).toBe('0.0.0.0');
    expect(services['sync-agent']!.healthcheck!.test!.join(' ')).toContain(`127.0.0.1:${agent.LOCAL_API_PORT}/health`);
    // The site database gets its password, not the site's API key.
    expect(services['site-db']!.env_file).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const packages = [
    'shared',
    'proof',
    ...['client', 'sync'].flatMap((d) => readdirSync(path.join(ROOT, d)).map((p) => `${d}/${p}`)),
  ].filter((p) => existsSync(path.join(ROOT, p, 'package.json')));

  it('when it installs, then every workspace package.json is in the install layer', () => {
    expect(packages.sort()).toEqual([
      'client/api',
      'client/mcp',
      'client/web',
      'proof',
      'shared',
      'sync/agent',
      'sync/mcp',
      'sync/simulator',
      'sync/web',
    ]);
    const install = dockerfile.slice(0, dockerfile.indexOf('RUN pnpm install'));
    expect(packages.filter((p) => !install.includes(`COPY ${p}/package.json ${p}/`))).toEqual([]);
  });

  it('when it builds, then both web apps are built and kept, and every compose target and command exists', () => {
    expect(dockerfile).toMatch(/RUN pnpm -r build/);
    expect(dockerfile).toContain('test -f client/web/dist/index.html');
    expect(dockerfile).toContain('test -f sync/web/dist/index.html');
    for (const pkg of ['client/web', 'sync/web'])
      expect(JSON.parse(read(`${pkg}/package.json`)).scripts.build).toContain('vite build');
    // The runtime image copies the whole built workspace (dist folders included); .dockerignore must not drop them afterwards.
    expect(dockerfile).toMatch(/COPY --from=build [^\n]*\/app \/app/);
    for (const s of Object.values(services)) {
      if (s.build?.target) expect(dockerfile).toContain(`AS ${s.build.target}\n`);
    }
    for (const m of dockerfile.matchAll(/CMD \["node", "([^"]+)\/dist\/([^"]+)\.js"/g)) {
      expect(existsSync(path.join(ROOT, m[1]!, 'src', `${m[2]}.ts`)), `${m[1]}/src/${m[2]}.ts`).toBe(true);
    }
  });
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// What a first visit to a built Vite app downloads, read from its dist/: the entry chunk named in index.html and
// every chunk it (or the given page chunks) imports statically, followed through each chunk's `from "./x.js"`.
// Lazy chunks (`import("./x.js")`) are not followed: they load later. Both web apps' bundle tests use it.

export interface FirstVisit {
  /** Minified bytes, before compression. */
  bytes: number;
  files: string[];
}

/** The chunk file of a module Vite split out (`Name-hash.js`); throws when there is none. */
export function chunkOf(assets: string, name: string): string {
  const f = readdirSync(assets).find((x) => x.startsWith(`${name}-`) && x.endsWith('.js'));
  if (!f) throw new Error(`no chunk for ${name} in ${assets}: is it still loaded with React.lazy?`);
  return f;
}

export function firstVisit(dist: string, pageChunks: string[] = []): FirstVisit {
  const assets = path.join(dist, 'assets');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error(`${dist}/index.html names no entry chunk`);
  const seen = new Set<string>();
  const todo = [entry, ...pageChunks.map((n) => chunkOf(assets, n))];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(path.join(assets, f), 'utf8').matchAll(/(?:import|from)\s*"\.\/([^"]+\.js)"/g))
      todo.push(m[1] as string);
  }
  return { bytes: [...seen].reduce((n, f) => n + statSync(path.join(assets, f)).size, 0), files: [...seen] };
}

/** Whether any of the files holds MUI X's chart surface (the charts are the heaviest part of either app). */
export function hasCharts(dist: string, files: string[]): boolean {
  return files.some((f) => readFileSync(path.join(dist, 'assets', f), 'utf8').includes('MuiChartsSurface'));
}

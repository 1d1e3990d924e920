import { useCallback, useSyncExternalStore } from 'react';

// Page settings kept in the address's query (?range=7d&bucket=1h): a link shares them, a reload keeps them, and
// the browser's Back undoes a change made with `push` (a zoom). Changes made without `push` replace the entry.
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
let listening = false;

function subscribe(l: () => void) {
  // Registered on first use, so the pure helpers here (oneOf) import anywhere, also in tests without a window.
  if (!listening) window.addEventListener('popstate', notify);
  listening = true;
  listeners.add(l);
  return () => listeners.delete(l);
}

export type QueryPatch = Record<string, string | undefined>;

/** Writes `patch` into the query (undefined removes a key); `push` adds a history entry Back returns from. */
export function setQuery(patch: QueryPatch, push = false): void {
  const q = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) q.delete(k);
    else q.set(k, v);
  }
  const text = q.toString();
  const to = `${window.location.pathname}${text ? `?${text}` : ''}`;
  if (to === window.location.pathname + window.location.search) return;
  if (push) window.history.pushState(window.history.state, '', to);
  else window.history.replaceState(window.history.state, '', to);
  notify();
}

/** The current query as a URLSearchParams (a fresh copy each time the address changes), and its setter. */
export function useUrlQuery(): [URLSearchParams, (patch: QueryPatch, push?: boolean) => void] {
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  const set = useCallback((patch: QueryPatch, push?: boolean) => setQuery(patch, push), []);
  return [new URLSearchParams(search), set];
}

/** A query value when it is one of `values`, else `fallback` (a hand-edited or stale link never breaks a page). */
export const oneOf = <V extends string | number>(v: unknown, values: readonly V[], fallback: V): V =>
  values.includes(v as V) ? (v as V) : fallback;

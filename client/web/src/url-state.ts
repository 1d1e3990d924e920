import { useCallback, useSyncExternalStore } from 'react';

// Page settings kept in the address's query (?range=7d&bucket=1h): a link shares them, a reload keeps them, and
// the browser's Back undoes a change made with `push` (a zoom). Changes made without `push` replace the entry.
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

function subscribe(l: () => void) {
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

import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  updatedAt: Date | undefined;
  reload: () => void;
}

/**
 * Load with `fn`, again whenever `deps` change, and every `refreshMs` when given. Data stays on screen
 * while a refresh runs, and a failed refresh keeps the last data beside the error.
 */
export function usePoll<T>(fn: () => Promise<T>, deps: unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean; updatedAt?: Date }>({
    loading: true,
  });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const seq = useRef(0);

  const run = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    fnRef.current().then(
      (data) => mine === seq.current && setState({ data, loading: false, updatedAt: new Date() }),
      (err: unknown) => mine === seq.current && setState((s) => ({ ...s, error: errorText(err), loading: false })),
    );
  }, []);

  useEffect(() => {
    setState({ loading: true });
    run();
    if (!refreshMs) return undefined;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') run();
    }, refreshMs);
    return () => clearInterval(t);
  }, deps);

  return { data: state.data, error: state.error, loading: state.loading, updatedAt: state.updatedAt, reload: run };
}

import { create } from 'zustand';
import { api } from './client';

interface ConnectionState {
  /** true from the first request that got no answer (or a gateway's "API down") until one is answered again. */
  lost: boolean;
  /** When the API last answered: the data on screen is as of then. */
  lastAnswerAt: Date | null;
}

export const useConnection = create<ConnectionState>(() => ({ lost: false, lastAnswerAt: null }));

const answered = () => useConnection.setState({ lost: false, lastAnswerAt: new Date() });

// Every answer of the API, error or not, says it is reachable; no answer at all, or a proxy in front saying the API
// behind it is down, says it is not.
api.observe((status) => {
  if (status === null || [502, 503, 504].includes(status)) useConnection.setState({ lost: true });
  else answered();
});

/** While the connection is lost, ask /health every few seconds so the app notices at once when it is back. */
export function probeWhileLost(everyMs = 5000): () => void {
  const t = setInterval(() => {
    if (useConnection.getState().lost) api.get('/health', { timeoutMs: 4000 }).catch(() => undefined);
  }, everyMs);
  return () => clearInterval(t);
}

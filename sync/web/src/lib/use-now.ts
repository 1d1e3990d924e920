import { useSite } from '../store/site-store';

/** The agent's clock as of now (its last answer plus time since), so "5 min ago" is right even if this phone's clock is off. */
export function useAgentNow(): number {
  const status = useSite((s) => s.status);
  const loadedAt = useSite((s) => s.lastLoadedAt);
  if (!status || loadedAt === null) return Date.now();
  return Date.parse(status.now) + (Date.now() - loadedAt);
}

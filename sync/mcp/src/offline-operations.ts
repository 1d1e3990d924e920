import type { SiteOperations } from './operations.js';

/**
 * Operations that all fail with why the running agent cannot be reached. The stdio bridge answers
 * with these while the agent is down, so an assistant still starts and every tool call says
 * what is wrong instead of hanging or crashing.
 */
export function offlineOperations(why: () => string): SiteOperations {
  const fail = (): never => {
    throw new Error(why());
  };
  return {
    facts: fail,
    status: async () => fail(),
    syncLog: async () => fail(),
    meters: async () => fail(),
    readings: async () => fail(),
    startCollection: async () => fail(),
    stopCollection: async () => fail(),
    syncNow: async () => fail(),
    deadLetters: async () => fail(),
    retryDeadLetters: async () => fail(),
    discover: async () => fail(),
    readProperty: async () => fail(),
  };
}

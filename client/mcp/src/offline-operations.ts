import { callerError } from './context.js';
import type { ClientOperations } from './operations.js';

/**
 * Operations that all fail with why the running client API cannot be reached. The stdio bridge
 * answers with these while the API is down, so an assistant still starts and every tool call says
 * what is wrong instead of hanging or crashing.
 */
export function offlineOperations(why: () => string): ClientOperations {
  const fail = async (): Promise<never> => {
    throw callerError(why());
  };
  return {
    siteStatuses: fail,
    meters: fail,
    readings: fail,
    consumption: fail,
    readingCounts: fail,
    costs: fail,
    alerts: {
      listActive: fail,
      inPeriod: fail,
      configureRule: fail,
      sendEmail: fail,
    },
  };
}

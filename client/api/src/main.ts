import { ConfigError, createLogger } from '@meterit/shared/node';
import { startClientApi, type RunningClientApi } from './server.js';
import { loadConfig, logFileOptions, type ClientApiConfig } from './config.js';

function readConfig(): ClientApiConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger({ service: 'client-api', level: config.logLevel, ...logFileOptions(config.logFile) });
const errInfo = (err: unknown) => (err instanceof Error ? { message: err.message, stack: err.stack } : String(err));

const starting: Promise<RunningClientApi> = startClientApi(config, { logger });
starting.catch((err: unknown) => {
  logger.error('could not start', { err: errInfo(err) });
  process.exit(1);
});

let stopping = false;
/** One way out: wait for start-up if it is still running, drain and close, then exit. */
function shutdown(reason: string, exitCode: number): void {
  if (stopping) return;
  stopping = true;
  logger.info('stopping', { reason });
  starting
    .then((api) => api.close())
    .then(
      () => process.exit(exitCode),
      (err: unknown) => {
        logger.error('error while shutting down', { err: errInfo(err) });
        process.exit(1);
      },
    );
}

process.on('SIGTERM', () => shutdown('SIGTERM', 0));
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('uncaughtException', (err) => {
  logger.error('uncaught exception', { err: errInfo(err) });
  shutdown('uncaughtException', 1);
});
process.on('unhandledRejection', (reason) => {
  logger.error('unhandled rejection', { err: errInfo(reason) });
  shutdown('unhandledRejection', 1);
});

import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';

export type Logger = winston.Logger;

export interface LogFileSpec {
  /** File name stem: `<dir>/<name>-YYYY-MM-DD.log`. */
  name: string;
  /** Only lines from these modules (the `module` of a child logger); all lines when absent. */
  modules?: string[];
}

export interface LoggerOptions {
  service: string;
  level?: string | undefined;
  /** stdio MCP servers must keep stdout for the protocol: they log to stderr. */
  stream?: 'stdout' | 'stderr';
  /** Folder for daily-rotated JSON log files; none when absent. */
  dir?: string | undefined;
  /** The files in `dir`; default one file named after the service. */
  files?: LogFileSpec[];
  /** How long rotated files are kept, e.g. '14d'. */
  maxFiles?: string;
  silent?: boolean;
}

const onlyModules = winston.format((info, opts: unknown) => {
  const modules = (opts as { modules?: string[] } | undefined)?.modules;
  return !modules || modules.includes(String(info.module ?? '')) ? info : false;
});

/** One logger per process, JSON lines; modules take `logger.child({ module })`. */
export function createLogger(opts: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Console({
      stderrLevels:
        opts.stream === 'stderr' ? ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] : ['error'],
    }),
  ];
  if (opts.dir) {
    for (const f of opts.files ?? [{ name: opts.service }]) {
      transports.push(
        new DailyRotateFile({
          dirname: opts.dir,
          filename: `${f.name}-%DATE%.log`,
          datePattern: 'YYYY-MM-DD',
          maxFiles: opts.maxFiles ?? '14d',
          format: onlyModules({ modules: f.modules }),
        }),
      );
    }
  }
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    defaultMeta: { service: opts.service },
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: true }),
      winston.format.json(),
    ),
    transports,
  });
}

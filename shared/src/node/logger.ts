import winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  level?: string | undefined;
  /** stdio MCP servers must keep stdout for the protocol: they log to stderr. */
  stream?: 'stdout' | 'stderr';
  /** Extra files to write JSON lines to. */
  files?: string[];
  silent?: boolean;
}

/** One logger per process, JSON lines; modules take `logger.child({ module })`. */
export function createLogger(opts: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Console({
      stderrLevels: opts.stream === 'stderr' ? ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] : ['error'],
    }),
  ];
  for (const filename of opts.files ?? []) transports.push(new winston.transports.File({ filename }));
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    defaultMeta: { service: opts.service },
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports,
  });
}

/**
 * The server's one log format: pino's JSON lines on stdout, for everything `serve` says (start-up,
 * the setup link, refusals, warnings, failures, shutdown), so a log shipper never meets a plain-text
 * line. Credentials are redacted by path as a second line of defence; nothing logs them on purpose.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

/** Fields that could carry a credential, wherever they appear in a logged object. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-auth-refresh-token"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'password',
  'token',
  'token_hash',
  'access_token',
  '*.password',
  '*.token',
  '*.token_hash',
  '*.access_token',
];

/** The logger options serve passes to Fastify (and uses for its own logger). */
export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT, censor: '[redacted]' } };
}

/** Creates the process logger. */
export function createLogger(level: string): Logger {
  return pino(loggerOptions(level));
}

/**
 * Routes what Node would print as plain text (warnings, an uncaught error's stack) through the
 * logger. Returns a function that undoes it.
 */
export function captureProcessOutput(log: Logger): () => void {
  const previous = process.listeners('warning');
  process.removeAllListeners('warning');
  const onWarning = (warning: Error & { code?: string }) => log.warn({ warning: { name: warning.name, code: warning.code, message: warning.message } }, `node warning: ${warning.message}`);
  const onFatal = (err: unknown) => {
    log.fatal({ err }, `prodboard stopped on an unexpected error: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  };
  process.on('warning', onWarning);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  return () => {
    process.off('warning', onWarning);
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
    for (const listener of previous) process.on('warning', listener as (w: Error) => void);
  };
}

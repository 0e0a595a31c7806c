// Structured logging with pino. Secrets, VINs and coordinates are redacted by key wherever they appear
// in a log object, so a careless `log.info({ vehicle })` cannot leak them.
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

/** Keys whose values never reach a log line, at any depth pino's redaction reaches. */
export const REDACTED_KEYS = [
  'password', 'secret', 'privateKey', 'private_key', 'mnemonic', 'seed', 'token', 'accessToken',
  'access_token', 'refreshToken', 'refresh_token', 'authorization', 'apiKey', 'api_key', 'kek',
  'vin', 'VIN', 'latitude', 'longitude', 'lat', 'lng', 'lon', 'coordinates', 'location',
  'databaseUrl', 'connectionString',
];

const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Pretty output for humans; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return pino({
    name: options.name ?? 'opendimo',
    level: options.level ?? 'info',
    redact: { paths, censor: '[redacted]' },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' } } }
      : {}),
  });
}

/** A logger that writes nothing; for tests that do not inspect logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

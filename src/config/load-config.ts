// Builds the configuration from, in rising precedence: embedded defaults, a JSON config file,
// OPENDIMO_* environment variables, and command-line flags. Problems are reported all at once.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OdmError } from '../core/errors.ts';
import { configSchema, type NodeConfig } from './schema.ts';

export const DEFAULT_HTTP_PORT = 8780;
const DEFAULT_KEK_FILE = 'keys/kek.key';

/** Environment variables the node reads, with the config path each one sets. */
export const ENV_VARS = {
  OPENDIMO_DATA_DIR: 'dataDir',
  OPENDIMO_HTTP_HOST: 'http.host',
  OPENDIMO_HTTP_PORT: 'http.port',
  OPENDIMO_DATABASE_URL: 'databaseUrl',
  OPENDIMO_RPC_URL: 'chain.rpcUrl',
  OPENDIMO_CHAIN_CONFIRMATIONS: 'chain.confirmations',
  OPENDIMO_RELAYER_KEY: 'chain.relayerKey',
  OPENDIMO_MQTT_URL: 'mqtt.url',
  OPENDIMO_MQTT_PORT: 'mqtt.port',
  OPENDIMO_NATS_URL: 'natsUrl',
  OPENDIMO_ROLE: 'roles',
  OPENDIMO_KEK_FILE: 'kekFile',
  OPENDIMO_LOG_LEVEL: 'log.level',
  OPENDIMO_VERIFY_THREADS: 'ingest.verifyThreads',
  OPENDIMO_INGEST_MTLS_PORT: 'ingest.mtls.port',
  OPENDIMO_INGEST_MTLS_CERT_FILE: 'ingest.mtls.certFile',
  OPENDIMO_INGEST_MTLS_KEY_FILE: 'ingest.mtls.keyFile',
  OPENDIMO_INGEST_MTLS_CA_FILE: 'ingest.mtls.caFile',
  OPENDIMO_MQTT_SHARE_GROUP: 'ingest.mqttShareGroup',
  OPENDIMO_VAULT_KEYRING_FILE: 'vault.keyringFile',
  OPENDIMO_CONNECTORS_POLLING: 'connectors.polling',
  OPENDIMO_CONNECTORS_CONCURRENCY: 'connectors.concurrency',
  OPENDIMO_CONNECTORS_REDIRECT_URI: 'connectors.redirectUri',
  OPENDIMO_TESLA_CLIENT_ID: 'connectors.tesla.clientId',
  OPENDIMO_TESLA_CLIENT_SECRET: 'connectors.tesla.clientSecret',
  OPENDIMO_TESLA_AUTH_URL: 'connectors.tesla.authUrl',
  OPENDIMO_TESLA_API_URL_NA: 'connectors.tesla.apiUrlNa',
  OPENDIMO_TESLA_API_URL_EU: 'connectors.tesla.apiUrlEu',
  OPENDIMO_TESLA_REDIRECT_URI: 'connectors.tesla.redirectUri',
  OPENDIMO_TESLA_SCOPES: 'connectors.tesla.scopes',
  OPENDIMO_SMARTCAR_CLIENT_ID: 'connectors.smartcar.clientId',
  OPENDIMO_SMARTCAR_CLIENT_SECRET: 'connectors.smartcar.clientSecret',
  OPENDIMO_SMARTCAR_CONNECT_URL: 'connectors.smartcar.connectUrl',
  OPENDIMO_SMARTCAR_AUTH_URL: 'connectors.smartcar.authUrl',
  OPENDIMO_SMARTCAR_API_URL: 'connectors.smartcar.apiUrl',
  OPENDIMO_SMARTCAR_REDIRECT_URI: 'connectors.smartcar.redirectUri',
  OPENDIMO_SMARTCAR_SCOPES: 'connectors.smartcar.scopes',
  OPENDIMO_SMARTCAR_UNIT_SYSTEM: 'connectors.smartcar.unitSystem',
  OPENDIMO_SMARTCAR_MODE: 'connectors.smartcar.mode',
  OPENDIMO_AGGREGATES_K: 'aggregates.k',
  OPENDIMO_AGGREGATES_H3_RESOLUTION: 'aggregates.h3Resolution',
  OPENDIMO_AGGREGATES_EPSILON: 'aggregates.epsilon',
  OPENDIMO_LIVE_BUFFER_SIZE: 'live.bufferSize',
  OPENDIMO_WEBHOOK_MAX_FAILURES: 'webhooks.maxFailures',
  OPENDIMO_WEBHOOK_ALLOW_HTTP: 'webhooks.allowHttp',
  OPENDIMO_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'webhooks.allowPrivateTargets',
} as const;

type Plain = Record<string, unknown>;

export interface LoadConfigOptions {
  mode: 'dev' | 'node';
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file; OPENDIMO_CONFIG is used when absent. */
  configFile?: string;
  /** Flags from the CLI, as config paths (e.g. { 'http.port': 9000 }). */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

export function loadConfig(options: LoadConfigOptions): NodeConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const config: Plain = {
    mode: options.mode,
    dataDir: '.opendimo',
    http: { host: '127.0.0.1', port: DEFAULT_HTTP_PORT },
    chain: { confirmations: 0, port: 0 },
    mqtt: { host: '127.0.0.1', port: 0 },
    log: { level: 'info' },
    kekFile: DEFAULT_KEK_FILE,
    roles: 'all',
  };

  const file = options.configFile ?? env.OPENDIMO_CONFIG;
  if (file) merge(config, readJson(resolve(cwd, file), 'config file'));

  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(config, path, value);
  }
  if (env.OPENDIMO_DEPLOYMENT_FILE) {
    setPath(config, 'chain.deployment', readJson(resolve(cwd, env.OPENDIMO_DEPLOYMENT_FILE), 'deployment file'));
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(config, path, value);
  }

  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${envNameFor(issue.path.join('.'))}: ${issue.message}`);
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  const result = parsed.data;
  result.dataDir = resolve(cwd, result.dataDir);
  // The default key lives in the data dir; a path the operator gave is taken from where they stand.
  result.kekFile = result.kekFile === DEFAULT_KEK_FILE ? resolve(result.dataDir, DEFAULT_KEK_FILE) : resolve(cwd, result.kekFile);
  return result;
}

/** Names a config path by the variable that sets it, since that is what an operator edits. */
function envNameFor(path: string): string {
  // A list's element (roles.1) is set by the list's variable.
  const listPath = path.replace(/(\.\d+)+$/, '');
  const found = Object.entries(ENV_VARS).find(([, p]) => p === path || p === listPath);
  if (found) return `${found[0]} (${path})`;
  if (path.startsWith('chain.deployment')) return `OPENDIMO_DEPLOYMENT_FILE (${path})`;
  return path || 'config';
}

function readJson(path: string, what: string): Plain {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot read ${what} ${path}`, { cause: err, details: { path } });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Plain;
  } catch (err) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `${what} ${path} is not a JSON object`, { cause: err, details: { path } });
  }
}

function setPath(target: Plain, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Plain;
  }
  node[keys[keys.length - 1]!] = value;
}

function merge(target: Plain, source: Plain): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      merge(current as Plain, value as Plain);
    } else {
      target[key] = value;
    }
  }
}

// The node's configuration, validated once at start. Every field has an embedded default except the
// ones that only make sense in production (external database, chain, broker, bus).
import { z } from 'zod';
import { ROLES } from '../cluster/roles.ts';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');

const url = (schemes: string[]) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join(' or ')}`);

export const configSchema = z
  .object({
    mode: z.enum(['dev', 'node']),
    dataDir: z.string().min(1),
    http: z.object({
      host: z.string().min(1),
      port: z.coerce.number().int().min(0).max(65535),
    }),
    databaseUrl: url(['postgres', 'postgresql', 'sqlite']).optional(),
    chain: z.object({
      rpcUrl: url(['http', 'https', 'ws', 'wss']).optional(),
      /** The deployment record printed by `opendimo chain deploy` (chainId, contracts, blockNumber). */
      deployment: z
        .object({
          chainId: z.coerce.number().int().positive(),
          contracts: z.record(z.string(), address),
          blockNumber: z.coerce.string().default('0'),
        })
        .optional(),
      confirmations: z.coerce.number().int().min(0).max(1000),
      /**
       * Key the node relays owner-signed actions with (pays their gas). Embedded chain: anvil's dev key 0
       * when unset. A secret: never logged, never echoed in errors.
       */
      relayerKey: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits')
        .optional(),
      /** Embedded chain only: where anvil listens (0 = any free port). */
      port: z.coerce.number().int().min(0).max(65535),
    }),
    mqtt: z.object({
      url: url(['mqtt', 'mqtts', 'tcp', 'tls', 'ws', 'wss']).optional(),
      /** Embedded broker only. */
      host: z.string().min(1),
      port: z.coerce.number().int().min(0).max(65535),
    }),
    natsUrl: url(['nats', 'tls']).optional(),
    /** What this process does in a cluster (src/cluster/roles.ts): `all`, or a comma-separated list of roles. */
    roles: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean).flatMap((p) => (p === 'all' ? [...ROLES] : [p])) : v),
      z.array(z.enum(ROLES, { message: `must be all or a comma-separated list of ${ROLES.join(', ')}` })).min(1, 'must name at least one role'),
    ),
    kekFile: z.string().min(1),
    /** Ingest (src/ingest): every field is optional with a default there. */
    ingest: z
      .object({
        /** Signature-verification worker threads; 0 = one per core. */
        verifyThreads: z.coerce.number().int().min(0).max(64).optional(),
        maxClockSkewMs: z.coerce.number().int().min(0).max(3_600_000).optional(),
        /** Oldest event time accepted, in days; also how long duplicates are remembered. */
        maxEventAgeDays: z.coerce.number().int().min(1).max(3650).optional(),
        maxInflightEvents: z.coerce.number().int().min(100).optional(),
        maxRequestBytes: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).optional(),
        /** External broker: shared-subscription group spreading devices over several consumers (MQTT 5). */
        mqttShareGroup: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
        mqttConsumers: z.coerce.number().int().min(1).max(64).optional(),
        /** An HTTPS listener that requires client certificates (connection providers). */
        mtls: z
          .object({
            host: z.string().min(1).default('127.0.0.1'),
            port: z.coerce.number().int().min(0).max(65535),
            certFile: z.string().min(1),
            keyFile: z.string().min(1),
            caFile: z.string().min(1),
          })
          .optional(),
      })
      .optional(),
    /** Vault (src/vault). */
    vault: z
      .object({
        /** Default: vault-keyring.json beside the KEK file. */
        keyringFile: z.string().min(1).optional(),
        compactIntervalMs: z.coerce.number().int().min(0).optional(),
      })
      .optional(),
    /** OEM connectors (src/connectors). Dev mode defaults to the embedded emulator for an OEM left unset. */
    connectors: z
      .object({
        /** false: no polling on this node (onboarding and commands still answer). Default true. */
        polling: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
        /** Polls running at once. Default 256. */
        concurrency: z.coerce.number().int().min(1).max(10_000).optional(),
        /** Where owners' browsers come back after the OEM login (the dashboard's callback page). */
        redirectUri: z.string().url().optional(),
        tesla: z
          .object({
            clientId: z.string().min(1).optional(),
            /** A secret: never logged. */
            clientSecret: z.string().min(1).optional(),
            /** auth.tesla.com: /oauth2/v3/authorize and /oauth2/v3/token. */
            authUrl: url(['http', 'https']).optional(),
            apiUrlNa: url(['http', 'https']).optional(),
            apiUrlEu: url(['http', 'https']).optional(),
            redirectUri: z.string().url().optional(),
            scopes: z.string().min(1).optional(),
          })
          .optional(),
        smartcar: z
          .object({
            clientId: z.string().min(1).optional(),
            clientSecret: z.string().min(1).optional(),
            /** connect.smartcar.com: /oauth/authorize. */
            connectUrl: url(['http', 'https']).optional(),
            /** auth.smartcar.com: /oauth/token. */
            authUrl: url(['http', 'https']).optional(),
            apiUrl: url(['http', 'https']).optional(),
            redirectUri: z.string().url().optional(),
            scopes: z.string().min(1).optional(),
            /** Units asked of the API (answers are converted to the catalogue's metric units either way). */
            unitSystem: z.enum(['metric', 'imperial']).optional(),
            /** Smartcar Connect `mode`: live, simulated or test. */
            mode: z.enum(['live', 'simulated', 'test']).optional(),
          })
          .optional(),
      })
      .optional(),
    /** Live telemetry streams (src/live): every field has a default there. */
    live: z
      .object({
        /** Updates a subscriber may have queued before it is dropped as a slow consumer. Default 1024. */
        bufferSize: z.coerce.number().int().min(16).max(1_000_000).optional(),
        maxStreams: z.coerce.number().int().min(1).optional(),
        maxStreamsPerLicense: z.coerce.number().int().min(1).optional(),
      })
      .optional(),
    /** Webhooks (src/webhooks): every field has a default there. */
    webhooks: z
      .object({
        /** Consecutive failed deliveries after which a webhook is disabled. Default 10. */
        maxFailures: z.coerce.number().int().min(1).max(1000).optional(),
        /** Attempts per delivery before it is given up. Default 15. */
        maxAttempts: z.coerce.number().int().min(1).max(100).optional(),
        /** First retry delay; doubles per attempt up to backoffMaxMs. Defaults 1000 and 600000. */
        backoffBaseMs: z.coerce.number().int().min(1).optional(),
        backoffMaxMs: z.coerce.number().int().min(1).optional(),
        /** Per-request timeout for deliveries and target verification. Default 10000. */
        timeoutMs: z.coerce.number().int().min(100).max(120_000).optional(),
        /** http:// targets (dev mode default true; production default false: https only). */
        allowHttp: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
        /** Targets on loopback or private addresses (dev mode default true; production default false). */
        allowPrivateTargets: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
        /** Deliveries in flight at once. Default 16. */
        concurrency: z.coerce.number().int().min(1).max(1024).optional(),
        /** Webhooks per license. Default 100. */
        maxPerLicense: z.coerce.number().int().min(1).optional(),
        /** Days the delivery log is kept. Default 7. */
        logRetentionDays: z.coerce.number().int().min(1).max(365).optional(),
      })
      .optional(),
    /** Anonymized aggregates (src/unions/aggregates). */
    aggregates: z
      .object({
        /**
         * Every released group covers at least k distinct vehicles and k distinct owners. The founding
         * documents forbid releasing a group of 10 (default > 10), so anything ≤ 10 is refused.
         */
        k: z.coerce.number().int().min(11, 'must be at least 11: the founding documents forbid releasing a group of 10 or fewer vehicles').max(100_000).optional(),
        /** H3 resolution locations are coarsened to (0–6; default 5). */
        h3Resolution: z.coerce.number().int().min(0).max(6, 'must be 6 or coarser: locations are never released finer than H3 resolution 6').optional(),
        /** Laplace noise for every dataset (epsilon per period; unset = no noise). */
        epsilon: z.coerce.number().positive().max(100).optional(),
        /** Per-dataset epsilon, overriding `epsilon` (dataset id → epsilon; 0 = no noise for it). */
        epsilonByDataset: z.record(z.string(), z.coerce.number().min(0).max(100)).optional(),
      })
      .optional(),
    log: z.object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      pretty: z.boolean().optional(),
    }),
  })
  .superRefine((config, ctx) => {
    if (config.chain.rpcUrl && !config.chain.deployment) {
      ctx.addIssue({
        code: 'custom',
        path: ['chain', 'deployment'],
        message: 'an external chain (OPENDIMO_RPC_URL) needs its contract addresses: set OPENDIMO_DEPLOYMENT_FILE to the JSON printed by `opendimo chain deploy`',
      });
    }
  });

export type NodeConfig = z.infer<typeof configSchema>;

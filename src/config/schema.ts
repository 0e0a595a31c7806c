// The node's configuration, validated once at start. Every field has an embedded default except the
// ones that only make sense in production (external database, chain, broker, bus).
import { z } from 'zod';

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
    kekFile: z.string().min(1),
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

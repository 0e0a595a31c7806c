// What a mirror's tables were built from: when any of it changes (handlers' version, deployment,
// contracts, events, tables) the mirror is rebuilt from the chain rather than trusted.
import { createHash } from 'node:crypto';
import type { EventCatalog } from './block-source.ts';

export function mirrorFingerprint(opts: { version?: string; deploymentBlock: bigint }, tables: string[], catalog: EventCatalog): string {
  const parts = {
    version: opts.version ?? '1',
    deploymentBlock: String(opts.deploymentBlock),
    addresses: catalog.addresses.sort(),
    topics: catalog.topics.sort(),
    tables: tables.sort(),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

// The capabilities a node runs, in start order. Each feature appends its entry here.
import type { Capability } from './capability.ts';
import { identityCapability } from '../identity/identity-capability.ts';
import { emulatorCapability } from '../../emulator/node-capability.ts';
import { licensingCapability } from '../licensing/licensing-capability.ts';
import { ingestCapability } from '../ingest/ingest-capability.ts';

export const capabilities: Capability[] = [
  // Vehicle identity and consent mirrored from the chain; relayer; identity GraphQL.
  identityCapability,
  // Licenses, stake, challenges and DIMO Pay mirrored from the chain; the license gate for data access.
  licensingCapability,
  // Signed vehicle data in (HTTP, MQTT, mTLS), verified against the identity mirror, encrypted into the vault.
  ingestCapability,
  // OEM emulator with a small simulated fleet (dev mode only).
  emulatorCapability,
];

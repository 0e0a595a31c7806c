// What the identity capability runs for one node, reachable from its routes and from other modules.
import type { Address } from 'viem';
import type { NodeServices } from '../node/start-node.ts';
import { OdmError } from '../core/errors.ts';
import type { IdentityMirror } from './identity-mirror.ts';
import type { Relayer } from './relayer.ts';

export interface IdentityRuntime {
  mirror: IdentityMirror;
  /** Undefined when no relayer key is configured (external chain without OPENDIMO_RELAYER_KEY). */
  relayer: Relayer | undefined;
  chainId: number;
  contracts: Record<string, Address>;
  confirmations: number;
}

const runtimes = new WeakMap<NodeServices, IdentityRuntime>();

export function setIdentityRuntime(services: NodeServices, runtime: IdentityRuntime | undefined): void {
  if (runtime) runtimes.set(services, runtime);
  else runtimes.delete(services);
}

export function getIdentityRuntime(services: NodeServices): IdentityRuntime {
  const runtime = runtimes.get(services);
  if (!runtime) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the identity mirror is not running on this node');
  return runtime;
}

/**
 * Waits (briefly) until the mirror holds `block`, so a client that relays an action and then reads
 * sees it. Only without confirmations: otherwise the block needs more blocks on top first.
 */
export async function waitMirrored(runtime: IdentityRuntime, block: bigint, timeoutMs = 5_000): Promise<boolean> {
  if (runtime.confirmations > 0) return runtime.mirror.indexer.position.number >= block;
  try {
    await runtime.mirror.indexer.waitFor(block, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

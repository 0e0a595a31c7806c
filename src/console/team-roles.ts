// Who may act as the licensing team or as arbiter: the contracts' own roles, read from the chain (and
// remembered for half a minute, since the consoles ask on every page).
import { keccak256, toBytes, type Address } from 'viem';
import type { NodeServices } from '../node/start-node.ts';

export interface TeamRoles {
  licensing: boolean;
  arbiter: boolean;
  governance: boolean;
}

const HAS_ROLE = [{ type: 'function', name: 'hasRole', stateMutability: 'view', inputs: [{ name: 'role', type: 'bytes32' }, { name: 'account', type: 'address' }], outputs: [{ type: 'bool' }] }] as const;
const role = (name: string) => keccak256(toBytes(name));
const TTL_MS = 30_000;
const cache = new WeakMap<NodeServices, Map<string, { at: number; roles: TeamRoles }>>();

export async function teamRoles(services: NodeServices, address: string): Promise<TeamRoles> {
  const key = address.toLowerCase();
  let byAddress = cache.get(services);
  if (!byAddress) cache.set(services, (byAddress = new Map()));
  const hit = byAddress.get(key);
  const now = services.clock.now();
  if (hit && now - hit.at < TTL_MS) return hit.roles;
  const { contracts, clients } = services.chain;
  const has = async (contract: string, name: string) => {
    const at = contracts[contract];
    if (!at) return false;
    return clients.publicClient.readContract({ address: at, abi: HAS_ROLE, functionName: 'hasRole', args: [role(name), key as Address] });
  };
  const [licensing, arbiter, governance] = await Promise.all([has('Licenses', 'LICENSING_ROLE'), has('Challenges', 'ARBITER_ROLE'), has('Licenses', 'GOVERNANCE_ROLE')]);
  const roles = { licensing, arbiter, governance };
  byAddress.set(key, { at: now, roles });
  return roles;
}

// Compiled contracts as the rest of the node sees them: ABI and bytecode by contract name.
import type { Abi, Hex } from 'viem';
import { OdmError } from '../core/errors.ts';

export interface ContractArtifact {
  contractName: string;
  /** Source unit, e.g. `contracts/DimoToken.sol`. */
  sourceName: string;
  abi: Abi;
  /** Creation code; `0x` for interfaces and abstract contracts. */
  bytecode: Hex;
  deployedBytecode: Hex;
}

export type Artifacts = Record<string, ContractArtifact>;

/** The artifact named `name`, or a clear error listing what exists. */
export function getArtifact(artifacts: Artifacts, name: string): ContractArtifact {
  const artifact = artifacts[name];
  if (!artifact) {
    throw new OdmError('ODM_ERR_CONTRACT_ARTIFACT_MISSING', `No compiled contract named ${name}; is there a contracts/*.sol defining it?`, {
      details: { name, available: Object.keys(artifacts).sort() },
    });
  }
  return artifact;
}

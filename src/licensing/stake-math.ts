// The stake formulas of Licenses.sol, in bigint wei, so the mirror answers exactly what the contract's
// views would:
//   required   = max(minimumStake[kind] + (kind == node ? stakePerUser × connectedUsers : 0), floor)
//   trustRatio = stake × 1e18 / required   (rounded down; 1e18 = exactly at the requirement)
import { OdmError } from '../core/errors.ts';
import { WAD, type LicenseKind } from './license-types.ts';

export interface StakeParams {
  minimumStake: Readonly<Record<LicenseKind, bigint>>;
  stakePerUser: bigint;
}

export interface StakeInputs {
  kind: LicenseKind;
  stake: bigint;
  requirementFloor: bigint;
  connectedUsers: bigint;
}

export function requiredStake(license: StakeInputs, params: StakeParams): bigint {
  let base = params.minimumStake[license.kind];
  if (license.kind === 'node') base += params.stakePerUser * license.connectedUsers;
  return base > license.requirementFloor ? base : license.requirementFloor;
}

/** 18-decimal fixed point, rounded down. The contract never lets a minimum be 0; neither does this. */
export function trustRatio(license: StakeInputs, params: StakeParams): bigint {
  const required = requiredStake(license, params);
  if (required === 0n) {
    throw new OdmError('ODM_ERR_INTERNAL', 'the required stake is 0: the licensing mirror has not seen the minimum stakes', { details: { kind: license.kind } });
  }
  return (license.stake * WAD) / required;
}

/** A ratio as a decimal string with up to 18 fraction digits, e.g. 500000000000000000n → "0.5". */
export function formatRatio(ratio: bigint): string {
  const whole = ratio / WAD;
  const fraction = (ratio % WAD).toString().padStart(18, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

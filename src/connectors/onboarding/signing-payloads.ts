// The EIP-712 payloads an owner signs to onboard an OEM vehicle, as JSON (uint256 values as decimal
// strings): VehicleId.mintBySig's MintVehicle and SyntheticDevice.mint's MintSyntheticDevice. The
// domains and types are the contracts' own (src/consent/eip712-types.ts). A wallet signs them as they
// are (viem: turn the decimal strings of uint fields back into bigints first).
import type { Address, Hex, TypedDataDefinition } from 'viem';
import { EIP712_TYPES, eip712Domain } from '../../consent/eip712-types.ts';

export interface MintVehicleFields {
  owner: Address;
  make: string;
  model: string;
  year: number;
  vinHash: Hex;
  nonce: bigint;
  deadline: bigint;
}

export interface MintSyntheticFields {
  connectionId: bigint;
  vehicleId: bigint;
  device: Address;
  nonce: bigint;
  deadline: bigint;
}

export interface JsonTypedData {
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  types: Record<string, ReadonlyArray<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, string | number>;
}

export function mintVehicleTyped(chainId: number, vehicleContract: Address, f: MintVehicleFields): TypedDataDefinition {
  return {
    domain: eip712Domain('VehicleId', chainId, vehicleContract),
    types: { MintVehicle: EIP712_TYPES.MintVehicle },
    primaryType: 'MintVehicle',
    message: { ...f },
  } as unknown as TypedDataDefinition;
}

export function mintSyntheticTyped(chainId: number, deviceContract: Address, f: MintSyntheticFields): TypedDataDefinition {
  return {
    domain: eip712Domain('SyntheticDevice', chainId, deviceContract),
    types: { MintSyntheticDevice: EIP712_TYPES.MintSyntheticDevice },
    primaryType: 'MintSyntheticDevice',
    message: { ...f },
  } as unknown as TypedDataDefinition;
}

/** The JSON form: bigints become decimal strings. */
export function typedJson(t: TypedDataDefinition): JsonTypedData {
  const d = t.domain as { name: string; version: string; chainId: number; verifyingContract: string };
  const message: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(t.message as Record<string, unknown>)) message[k] = typeof v === 'bigint' ? v.toString() : (v as string | number);
  return {
    domain: { name: d.name, version: d.version, chainId: Number(d.chainId), verifyingContract: d.verifyingContract },
    types: t.types as JsonTypedData['types'],
    primaryType: t.primaryType as string,
    message,
  };
}

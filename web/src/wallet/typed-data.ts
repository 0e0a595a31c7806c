// Typed data as the node hands it out (JSON: uint256 values as decimal strings) turned into what an
// EIP-712 signer takes (bigints), guided by the field types.
import type { TypedDataDefinition } from 'viem';

export interface JsonTypedData {
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  types: Record<string, ReadonlyArray<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, string | number>;
}

export function fromJsonTypedData(t: JsonTypedData): TypedDataDefinition {
  const fields = t.types[t.primaryType] ?? [];
  const message: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t.message)) {
    const type = fields.find((f) => f.name === k)?.type ?? '';
    // uint16 and smaller stay numbers in viem's typing; larger ints are bigints. Both encode the same.
    message[k] = /^u?int/.test(type) && typeof v !== 'bigint' ? BigInt(v) : v;
  }
  return { domain: t.domain, types: t.types, primaryType: t.primaryType, message } as unknown as TypedDataDefinition;
}

// DIMO device signatures: secp256k1 over keccak256 of the exact bytes of the CloudEvent's `data`
// field (not an EIP-191 personal message), serialized r‖s‖v with v = 27/28 as DIMO's ingest expects.
import { type Address, type Hex, keccak256, recoverAddress, toBytes } from 'viem';
import { sign } from 'viem/accounts';

export async function signDataBytes(privateKey: Hex, data: string | Uint8Array): Promise<Hex> {
  const bytes = typeof data === 'string' ? toBytes(data) : data;
  return sign({ hash: keccak256(bytes), privateKey, to: 'hex' });
}

/** The address that signed `data`; accepts recovery bytes 27/28 and 0/1. */
export async function recoverDataSigner(data: string | Uint8Array, signature: Hex): Promise<Address> {
  const bytes = typeof data === 'string' ? toBytes(data) : data;
  return recoverAddress({ hash: keccak256(bytes), signature });
}

/**
 * The raw text of a top-level field of a JSON object, exactly as it appears (signatures cover these
 * bytes, so re-serializing a parsed value is not good enough).
 */
export function rawJsonField(json: string, field: string): string | undefined {
  let depth = 0;
  let i = 0;
  const n = json.length;
  const skipString = (from: number): number => {
    let j = from + 1;
    while (j < n && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
    return j + 1;
  };
  while (i < n) {
    const ch = json[i]!;
    if (ch === '"') {
      const end = skipString(i);
      if (depth === 1) {
        let k = end;
        while (k < n && /\s/.test(json[k]!)) k++;
        if (json[k] === ':' && JSON.parse(json.slice(i, end)) === field) {
          let start = k + 1;
          while (start < n && /\s/.test(json[start]!)) start++;
          let j = start;
          let d = 0;
          while (j < n) {
            const c = json[j]!;
            if (c === '"') {
              j = skipString(j);
              continue;
            }
            if (c === '{' || c === '[') d++;
            else if (c === '}' || c === ']') {
              if (d === 0) break;
              d--;
            } else if (c === ',' && d === 0) break;
            j++;
          }
          return json.slice(start, j).trimEnd();
        }
      }
      i = end;
      continue;
    }
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    i++;
  }
  return undefined;
}

// Deterministic JSON: object keys sorted recursively (UTF-16 code unit order, as RFC 8785), no whitespace.
// Used where bytes are hashed or signed, so the same document always yields the same bytes.
import { OdmError } from '../core/errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/** Object members whose value is undefined are omitted, as JSON.stringify does; anything non-JSON throws. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw notJson('a non-finite number');
      return JSON.stringify(value === 0 ? 0 : value); // -0 → 0
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw notJson('a non-plain object');
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw notJson(typeof value);
  }
}

function notJson(what: string): OdmError {
  return new OdmError('ODM_ERR_VALIDATION', `Cannot serialise ${what} as canonical JSON`, { status: 400 });
}

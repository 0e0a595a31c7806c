// Bus payloads as bytes: JSON (so a class's toJSON, e.g. StoredTelemetry, decides its wire shape) with
// tags for what JSON would lose — bigint, bytes (Buffer/Uint8Array come back as Buffer), Date and
// non-finite numbers. Subscribers in another process get plain objects, never class instances.
import { OdmError } from '../core/errors.ts';

const TAG = '$odm';

export function encodePayload(payload: unknown): Buffer {
  const json = JSON.stringify(payload === undefined ? null : payload, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    if (raw instanceof Uint8Array) return { [TAG]: 'bytes', v: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    if (raw instanceof Date) return { [TAG]: 'date', v: raw.getTime() };
    if (typeof value === 'bigint') return { [TAG]: 'bigint', v: value.toString() };
    if (typeof value === 'number' && !Number.isFinite(value)) return { [TAG]: 'number', v: String(value) };
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, TAG)) {
      throw new OdmError('ODM_ERR_INTERNAL', `bus payloads cannot hold objects with a "${TAG}" key`);
    }
    return value;
  });
  return Buffer.from(json);
}

export function decodePayload(bytes: Uint8Array): unknown {
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, TAG)) return value;
    const { [TAG]: tag, v } = value as { [TAG]: string; v: string | number };
    switch (tag) {
      case 'bytes':
        return Buffer.from(v as string, 'base64');
      case 'date':
        return new Date(v as number);
      case 'bigint':
        return BigInt(v as string);
      case 'number':
        return Number(v);
      default:
        return value;
    }
  });
}

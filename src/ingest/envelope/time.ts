// RFC 3339 timestamps as CloudEvents and DIMO signals carry them, to epoch milliseconds. Fractions
// beyond milliseconds are accepted and truncated; anything else Date.parse would guess at is refused.
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** Epoch ms, or NaN when the text is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): number {
  if (text.length > 40 || !RFC3339.test(text)) return NaN;
  return Date.parse(text);
}

/** A signal timestamp: RFC 3339 text or epoch milliseconds; NaN when neither. */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'string') return parseRfc3339(value);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 8.64e15) return Math.trunc(value);
  return NaN;
}

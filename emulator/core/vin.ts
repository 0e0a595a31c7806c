// VINs with a valid ISO 3779 / North-American check digit (position 9), so connectors that validate
// VINs accept every emulated vehicle.

const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';
/** Letters a VIN may contain (never I, O or Q). */
const VIN_LETTERS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

function charValue(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  const v = TRANSLITERATION[ch];
  if (v === undefined) throw new RangeError(`character ${ch} is not allowed in a VIN`);
  return v;
}

export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += charValue(vin[i]!) * WEIGHTS[i]!;
  const r = sum % 11;
  return r === 10 ? 'X' : String(r);
}

export function isValidVin(vin: string): boolean {
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return false;
  return vin[8] === vinCheckDigit(vin);
}

/** Model-year code at position 10 (the 30-year cycle starting 1980 = A, 2010 = A again). */
export function modelYearCode(year: number): string {
  return YEAR_CODES[(((year - 1980) % 30) + 30) % 30]!;
}

/**
 * A VIN from a manufacturer prefix (WMI + vehicle descriptor, 8 characters), the model year, a plant
 * code and a serial number (its last six digits are used, so distinct serials give distinct VINs);
 * the check digit is computed.
 */
export function makeVin(prefix8: string, year: number, plant: string, serialNumber: number): string {
  if (prefix8.length !== 8) throw new RangeError('a VIN prefix is the first 8 characters');
  const serial = String(Math.abs(Math.trunc(serialNumber)) % 1_000_000).padStart(6, '0');
  const draft = `${prefix8}0${modelYearCode(year)}${plant.slice(0, 1)}${serial}`;
  for (const ch of draft) if (!VIN_LETTERS.includes(ch)) throw new RangeError(`character ${ch} is not allowed in a VIN`);
  return `${draft.slice(0, 8)}${vinCheckDigit(draft)}${draft.slice(9)}`;
}

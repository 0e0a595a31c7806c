// Finds, in the raw bytes of a CloudEvent (or a JSON array of them), where each event's `data` value
// and `signature` string sit. The signature covers the exact bytes of `data` as sent, which JSON.parse
// cannot give back, so the verifier works from these spans while the pipeline reads the parsed object.
//
// The two must agree on what `data` is. On valid JSON they do, provided attribute names are plain:
// a top-level name written with escapes (`"d\u0061ta"`) or a repeated `data`/`signature` would let
// the parsed object differ from what was verified, so such events are refused outright.

export const SCAN_OK = 0;
export const SCAN_NOT_OBJECT = 1;
export const SCAN_ESCAPED_NAME = 2;
export const SCAN_DUPLICATE = 3;
export const SCAN_NO_DATA = 4;
export const SCAN_NO_SIGNATURE = 5;
export const SCAN_MALFORMED = 6;

export interface ScannedEvent {
  status: number;
  /** Byte range of the `data` value (a JSON text), or of the `data_base64` string's content. */
  dataStart: number;
  dataEnd: number;
  base64: boolean;
  /** Byte range of the `signature` string's content (without quotes). */
  sigStart: number;
  sigEnd: number;
  /** Byte range of the whole element (the event object, or whatever else stands in the array). */
  start: number;
  end: number;
}

const SPACE = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

function skipWs(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i]!;
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) break;
    i++;
  }
  return i;
}

/** `i` is at an opening quote; returns the index after the closing quote, or -1. */
function skipString(b: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end) {
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i += 2;
    else i++;
  }
  return -1;
}

/** What a byte means to the container skip: 0 nothing, then quote, opening and closing bracket. */
const OTHER = 0, IS_QUOTE = 1, IS_OPEN = 2, IS_CLOSE = 3;
const CLASS = new Uint8Array(256);
CLASS[QUOTE] = IS_QUOTE;
CLASS[LBRACE] = CLASS[LBRACKET] = IS_OPEN;
CLASS[RBRACE] = CLASS[RBRACKET] = IS_CLOSE;

/** Skips any JSON value starting at `i`; returns the index after it, or -1. */
function skipValue(b: Uint8Array, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i, end);
  if (c === LBRACE || c === LBRACKET) {
    // The data of a status event is most of the bytes: one table lookup per byte outside strings.
    let depth = 0;
    while (i < end) {
      const k = CLASS[b[i]!]!;
      if (k === OTHER) {
        i++;
        continue;
      }
      if (k === IS_QUOTE) {
        i++;
        for (;;) {
          if (i >= end) return -1;
          const d = b[i]!;
          if (d === QUOTE) break;
          i += d === BACKSLASH ? 2 : 1;
        }
      } else if (k === IS_OPEN) depth++;
      else if (--depth === 0) return i + 1;
      i++;
    }
    return -1;
  }
  // number, true, false, null
  while (i < end) {
    const d = b[i]!;
    if (d === COMMA || d === RBRACE || d === RBRACKET || d === SPACE || d === TAB || d === LF || d === CR) break;
    i++;
  }
  return i;
}

function nameIs(b: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[start + k] !== name.charCodeAt(k)) return false;
  return true;
}

/** Scans one object starting at `i` (which must be `{`); returns the index after it, or -1. */
function scanObject(b: Uint8Array, i: number, end: number, out: ScannedEvent): number {
  out.status = SCAN_OK;
  out.dataStart = out.dataEnd = out.sigStart = out.sigEnd = -1;
  out.base64 = false;
  let seenData = false, seenSig = false;
  i = skipWs(b, i + 1, end);
  if (b[i] === RBRACE) {
    out.status = SCAN_NO_DATA;
    return i + 1;
  }
  while (i < end) {
    if (b[i] !== QUOTE) return -1;
    const nameStart = i + 1;
    const afterName = skipString(b, i, end);
    if (afterName < 0) return -1;
    const nameEnd = afterName - 1;
    let escaped = false;
    for (let k = nameStart; k < nameEnd; k++) if (b[k] === BACKSLASH) { escaped = true; break; }
    i = skipWs(b, afterName, end);
    if (b[i] !== COLON) return -1;
    i = skipWs(b, i + 1, end);
    const valueStart = i;
    i = skipValue(b, i, end);
    if (i < 0) return -1;
    const valueEnd = i;
    if (escaped && out.status === SCAN_OK) out.status = SCAN_ESCAPED_NAME;
    else if (nameIs(b, nameStart, nameEnd, 'data') || nameIs(b, nameStart, nameEnd, 'data_base64')) {
      if (seenData && out.status === SCAN_OK) out.status = SCAN_DUPLICATE;
      seenData = true;
      const base64 = nameEnd - nameStart === 11;
      out.base64 = base64;
      if (base64) {
        if (b[valueStart] !== QUOTE) out.status ||= SCAN_MALFORMED;
        out.dataStart = valueStart + 1;
        out.dataEnd = valueEnd - 1;
      } else {
        out.dataStart = valueStart;
        out.dataEnd = valueEnd;
      }
    } else if (nameIs(b, nameStart, nameEnd, 'signature')) {
      if (seenSig && out.status === SCAN_OK) out.status = SCAN_DUPLICATE;
      seenSig = true;
      if (b[valueStart] === QUOTE) {
        out.sigStart = valueStart + 1;
        out.sigEnd = valueEnd - 1;
      }
    }
    i = skipWs(b, i, end);
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1, end);
      continue;
    }
    if (b[i] === RBRACE) {
      if (out.status === SCAN_OK && !seenData) out.status = SCAN_NO_DATA;
      else if (out.status === SCAN_OK && out.sigStart < 0) out.status = SCAN_NO_SIGNATURE;
      return i + 1;
    }
    return -1;
  }
  return -1;
}

/**
 * Calls `each` once per event in the document bytes [start, end): once for an object, once per
 * element for an array. Returns false if the document is not well-formed enough to scan (the
 * JSON.parse on the other side will reject it too).
 */
export function scanDocument(b: Uint8Array, start: number, end: number, each: (event: ScannedEvent) => void): boolean {
  const ev: ScannedEvent = { status: SCAN_OK, dataStart: -1, dataEnd: -1, base64: false, sigStart: -1, sigEnd: -1, start: -1, end: -1 };
  let i = skipWs(b, start, end);
  if (b[i] === LBRACE) {
    ev.start = i;
    i = scanObject(b, i, end, ev);
    if (i < 0) return false;
    ev.end = i;
    each(ev);
    return skipWs(b, i, end) === end;
  }
  if (b[i] !== LBRACKET) return false;
  i = skipWs(b, i + 1, end);
  if (b[i] === RBRACKET) return skipWs(b, i + 1, end) === end;
  while (i < end) {
    ev.start = i;
    if (b[i] === LBRACE) {
      i = scanObject(b, i, end, ev);
      if (i < 0) return false;
    } else {
      i = skipValue(b, i, end);
      if (i < 0) return false;
      ev.status = SCAN_NOT_OBJECT;
      ev.dataStart = ev.dataEnd = ev.sigStart = ev.sigEnd = -1;
      ev.base64 = false;
    }
    ev.end = i;
    each(ev);
    i = skipWs(b, i, end);
    if (b[i] === COMMA) {
      i = skipWs(b, i + 1, end);
      continue;
    }
    if (b[i] === RBRACKET) return skipWs(b, i + 1, end) === end;
    return false;
  }
  return false;
}

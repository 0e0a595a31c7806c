// Reads the CloudEvents 1.0 header of one event in DIMO's profile and canonicalises it: required
// attributes, size and character rules, DIDs (legacy did:nft rewritten, addresses checksummed) and the
// clock-skew window. Returns a rejection value rather than throwing: a batch may hold thousands of
// events and exceptions are slow.
import type { ErrorCode } from '../../core/errors.ts';
import { checksumAddress, parseDid, type Did } from './did.ts';
import { parseRfc3339 } from './time.ts';

export interface Rejection {
  code: ErrorCode;
  message: string;
}

export interface Envelope {
  id: string;
  source: string;
  type: string;
  /** Canonical did:erc721 of the vehicle. */
  subject: string;
  subjectDid: Extract<Did, { kind: 'erc721' }>;
  /** Canonical DID of the producing device. */
  producer: string;
  producerDid: Did;
  /** Epoch ms. */
  time: number;
  dataversion: string | undefined;
  datacontenttype: string | undefined;
}

export interface EnvelopeRules {
  now: number;
  /** How far into the future `time` may be (clock skew); DIMO allows 5 minutes. */
  maxFutureMs: number;
  /** How old an event may be; also how long duplicates are remembered. */
  maxAgeMs: number;
}

/** Attributes other than data may total at most this many characters. */
export const MAX_HEADER_CHARS = 4096;
const MAX_ATTRIBUTES = 32;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:~+=@\-]{0,127}$/;
const SOURCE = /^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/;
const TYPE = /^[a-z0-9]+(\.[a-z0-9_\-]+){1,4}$/;
const EXTENSION = /^[a-z0-9]{1,20}$/;
const VERSION = /^[\x20-\x7e]{1,64}$/;
const KNOWN = new Set(['specversion', 'type', 'source', 'subject', 'producer', 'id', 'time', 'datacontenttype', 'dataversion', 'dataschema', 'signature', 'data', 'data_base64']);

/** DIMO event types this node accepts; dimo.status carries signals, the others are archived as sent. */
export const EVENT_TYPES = new Set(['dimo.status', 'dimo.events', 'dimo.fingerprint', 'dimo.attestation', 'dimo.verifiablecredential']);

function bad(message: string): Rejection {
  return { code: 'ODM_ERR_ENVELOPE_INVALID', message };
}

export function readEnvelope(raw: unknown, rules: EnvelopeRules): Envelope | Rejection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('each event must be a JSON object');
  const e = raw as Record<string, unknown>;
  let headerChars = 0;
  let attributes = 0;
  for (const key in e) {
    if (++attributes > MAX_ATTRIBUTES) return { code: 'ODM_ERR_ENVELOPE_TOO_LARGE', message: `at most ${MAX_ATTRIBUTES} attributes per event` };
    if (key === 'data' || key === 'data_base64') continue;
    if (!KNOWN.has(key) && !EXTENSION.test(key)) return bad(`extension attribute names must be 1-20 lowercase letters or digits`);
    const v = e[key];
    headerChars += key.length + (typeof v === 'string' ? v.length : JSON.stringify(v ?? null).length);
  }
  if (headerChars > MAX_HEADER_CHARS) return { code: 'ODM_ERR_ENVELOPE_TOO_LARGE', message: `event attributes other than data exceed ${MAX_HEADER_CHARS} characters` };
  if (e.specversion !== '1.0') return bad('specversion must be "1.0"');

  const type = e.type;
  if (typeof type !== 'string' || !TYPE.test(type)) return bad('type must be a reverse-DNS event type such as dimo.status');
  if (!EVENT_TYPES.has(type)) return { code: 'ODM_ERR_TYPE_UNSUPPORTED', message: `event type ${type} is not accepted (use ${[...EVENT_TYPES].join(', ')})` };

  const id = e.id;
  if (typeof id !== 'string' || !ID.test(id)) return bad('id must be 1-128 characters: letters, digits and . _ : ~ + = @ -');

  if (typeof e.source !== 'string' || !SOURCE.test(e.source)) return bad('source must be 1-256 printable characters without spaces, quotes or backslashes');
  let source: string = e.source;
  if (source.startsWith('0x') || source.startsWith('0X')) {
    const sum = checksumAddress(source);
    if (!sum) return bad('a source that starts with 0x must be a 20-byte address');
    source = sum;
  } else if (source.startsWith('did:')) {
    const did = parseDid(source);
    if (did) source = did.canonical;
  }

  const subjectDid = parseDid(e.subject);
  if (!subjectDid || subjectDid.kind !== 'erc721') {
    return { code: 'ODM_ERR_DID_INVALID', message: 'subject must be the vehicle DID did:erc721:<chainId>:<contract>:<tokenId>' };
  }
  const producerDid = parseDid(e.producer);
  if (!producerDid) {
    return { code: 'ODM_ERR_DID_INVALID', message: 'producer must be the device DID did:erc721:<chainId>:<contract>:<tokenId> (or did:ethr:<chainId>:<address>)' };
  }

  if (typeof e.time !== 'string') return bad('time is required (RFC 3339)');
  const time = parseRfc3339(e.time);
  if (Number.isNaN(time)) return bad('time must be an RFC 3339 date-time such as 2026-01-01T12:00:00.000Z');
  if (time > rules.now + rules.maxFutureMs) {
    return { code: 'ODM_ERR_TIME_IN_FUTURE', message: `time is more than ${Math.round(rules.maxFutureMs / 1000)} s in the future` };
  }
  if (time < rules.now - rules.maxAgeMs) {
    return { code: 'ODM_ERR_TIME_TOO_OLD', message: `time is more than ${Math.round(rules.maxAgeMs / 86_400_000)} days in the past` };
  }

  const datacontenttype = e.datacontenttype;
  if (datacontenttype !== undefined && (typeof datacontenttype !== 'string' || !/^application\/json(\s*;.*)?$/i.test(datacontenttype))) {
    return bad('datacontenttype must be application/json');
  }
  const dataversion = e.dataversion;
  if (dataversion !== undefined && (typeof dataversion !== 'string' || !VERSION.test(dataversion))) {
    return bad('dataversion must be 1-64 printable characters');
  }
  return {
    id,
    source,
    type,
    subject: subjectDid.canonical,
    subjectDid,
    producer: producerDid.canonical,
    producerDid,
    time,
    dataversion,
    datacontenttype,
  };
}

// The activity log's read side: one owner's entries, filtered and paged in SQL on the plain and tagged
// columns and decrypted with the owner's key; and the chain check, which recomputes every hash from the
// ciphertext, checks each row still opens in place, and compares the end with the MAC'd head.
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { OdmError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import { open } from '../vault/aead.ts';
import type { DataKeys } from '../vault/data-keys.ts';
import { chainHash, decodeEntry, entryAad, normalizeVehicleId, ownerKeyRef, ZERO_HASH, type ActivityTags, type RowIdentity } from './activity-codec.ts';
import { ACTIVITY_KINDS, type ActivityEntry, type ActivityKind, type ActivityQuery, type ActivityVerification } from './activity-log.ts';
import type { ChainHead } from './activity-writer.ts';

export interface ReaderDeps {
  db: Kysely<Database>;
  keys: DataKeys;
  tags: ActivityTags;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;
const SCAN_PAGE = 1000;

type StoredRow = RowIdentity & { ct: Buffer; hash: Buffer };

function invalid(message: string): OdmError {
  return new OdmError('ODM_ERR_VALIDATION', message);
}

async function ownerKey(deps: ReaderDeps, ownerTag: string): Promise<KeyObject | undefined> {
  const ref = ownerKeyRef(ownerTag);
  return (await deps.keys.getMany(deps.db, [{ ref, kind: 'owner' }], false)).get(ref);
}

function identity(r: StoredRow): RowIdentity {
  return { owner_tag: r.owner_tag, seq: Number(r.seq), at: Number(r.at), kind: r.kind, vehicle_tag: r.vehicle_tag, app_tag: r.app_tag, grantee_tag: r.grantee_tag };
}

function opens(key: KeyObject, r: StoredRow): Buffer | undefined {
  try {
    return open(key, r.ct, entryAad(identity(r)));
  } catch {
    return undefined;
  }
}

/** `owner` lowercase. */
export async function listEntries(deps: ReaderDeps, owner: string, query: ActivityQuery): Promise<{ entries: ActivityEntry[]; nextCursor?: string }> {
  const limit = query.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid(`limit must be 1–${MAX_PAGE}`);
  const order = query.order ?? 'desc';
  if (order !== 'desc' && order !== 'asc') throw invalid('order must be asc or desc');
  const kinds = query.kinds ?? [];
  for (const k of kinds) if (!ACTIVITY_KINDS.includes(k)) throw invalid(`unknown activity kind ${String(k)}`);
  if (query.cursor !== undefined && !/^\d{1,15}$/.test(query.cursor)) throw invalid('cursor is not one this API returned');
  for (const [name, v] of [['from', query.from], ['to', query.to]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw invalid(`${name} must be epoch milliseconds`);
  }

  const tag = deps.tags.owner(owner);
  const key = await ownerKey(deps, tag);
  if (!key) return { entries: [] };
  let q = deps.db.selectFrom('activity_entries').selectAll().where('owner_tag', '=', tag);
  if (kinds.length > 0) q = q.where('kind', 'in', kinds);
  if (query.vehicleId !== undefined) q = q.where('vehicle_tag', '=', deps.tags.vehicle(tag, normalizeVehicleId(query.vehicleId)));
  if (query.app !== undefined) {
    q = /^0x[0-9a-fA-F]{40}$/.test(query.app)
      ? q.where('grantee_tag', '=', deps.tags.grantee(tag, query.app.toLowerCase()))
      : q.where('app_tag', '=', deps.tags.app(tag, query.app));
  }
  if (query.from !== undefined) q = q.where('at', '>=', query.from);
  if (query.to !== undefined) q = q.where('at', '<', query.to);
  if (query.cursor !== undefined) q = q.where('seq', order === 'desc' ? '<' : '>', Number(query.cursor));
  const rows = (await q.orderBy('seq', order).limit(limit + 1).execute()) as StoredRow[];

  const page = rows.slice(0, limit);
  const entries = page.map((r): ActivityEntry => {
    const plaintext = opens(key, r);
    if (plaintext) return decodeEntry(Number(r.seq), plaintext);
    return { seq: Number(r.seq), at: Number(r.at), kind: r.kind as ActivityKind, unreadable: true };
  });
  return rows.length > limit ? { entries, nextCursor: String(Number(page[page.length - 1]!.seq)) } : { entries };
}

/**
 * Walks the owner's chain up to its recorded head. `memory` is the writer's head, if it holds one: a
 * database head rolled back behind it (with the rows after it) is caught too.
 */
export async function verifyChain(deps: ReaderDeps, owner: string, memory: ChainHead | undefined): Promise<ActivityVerification> {
  const tag = deps.tags.owner(owner);
  // Heads first: rows appended while we scan lie beyond them and are left for the next check.
  const head = await deps.db.selectFrom('activity_heads').selectAll().where('owner_tag', '=', tag).executeTakeFirst();
  const anchor = head ? Number(head.seq) : Number.MAX_SAFE_INTEGER;
  const key = await ownerKey(deps, tag);
  let counted = deps.db.selectFrom('activity_entries').select((eb) => eb.fn.countAll<number | string>().as('n')).where('owner_tag', '=', tag);
  if (head) counted = counted.where('seq', '<=', anchor);
  const entries = Number((await counted.executeTakeFirstOrThrow()).n);

  let prev = ZERO_HASH;
  let expected = 1;
  let brokenAt: number | undefined;
  scan: for (;;) {
    const rows = (await deps.db
      .selectFrom('activity_entries')
      .selectAll()
      .where('owner_tag', '=', tag)
      .where('seq', '>=', expected)
      .where('seq', '<=', anchor)
      .orderBy('seq', 'asc')
      .limit(SCAN_PAGE)
      .execute()) as StoredRow[];
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expected) {
        brokenAt = expected; // a row is missing (deleted, or renumbered away)
        break scan;
      }
      const hash = chainHash(prev, seq, r.ct);
      if (!hash.equals(r.hash) || !key || !opens(key, r)) {
        brokenAt = seq;
        break scan;
      }
      prev = hash;
      expected++;
    }
    if (rows.length < SCAN_PAGE) break;
  }

  const last = expected - 1;
  if (brokenAt === undefined) {
    if (!head) {
      if (last > 0) brokenAt = last + 1; // entries without an anchor: the head was removed
    } else if (last < anchor) {
      brokenAt = last + 1; // the newest entries are gone
    } else if (!head.hash.equals(prev) || head.mac.length !== 32 || !timingSafeEqual(head.mac, deps.tags.headMac(tag, anchor, prev))) {
      brokenAt = last;
    }
  }
  if (brokenAt === undefined && memory && memory.seq >= anchor && (memory.seq > anchor || !memory.hash.equals(prev))) {
    brokenAt = Math.min(anchor, last) + 1; // the database was rolled back behind what this node wrote
  }
  return brokenAt === undefined ? { ok: true, entries } : { ok: false, entries, brokenAt };
}

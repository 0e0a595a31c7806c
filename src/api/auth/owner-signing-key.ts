// The keys that sign owner session tokens and app tokens (ES256), one per `purpose`. Generated on first
// start and kept in the database (node_keys) sealed with the node's KEK (AES-256-GCM, the vault's aead,
// the purpose and key id as associated data), so the row alone signs nothing and every process of a
// cluster signs with the same key. Losing it only signs everybody out.
//
// Nodes from before kept the sealed key in a file in the data dir; on first start that file is copied
// into the database as it is (same sealing), so nobody is signed out by the upgrade.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { OdmError } from '../../core/errors.ts';
import type { Database, NodeKeysTable } from '../../store/schema.ts';
import { open, seal, toKey } from '../../vault/aead.ts';

export interface OwnerSigningKey {
  alg: 'ES256';
  /** Key id, in every token's header. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SigningKeySpec {
  /** Row key and associated data of the sealed key: a key made for one issuer does not open as another's. */
  purpose: string;
  /** Words the errors: what the key is, and what replacing it does. */
  label: string;
  consequence: string;
  /** Where a node from before kept this key sealed in a file, to import it on first start. */
  legacyPath?: string;
}

/** The file older nodes kept the owner token key in. */
export function ownerSigningKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'owner-jwt-key.json');
}

export const OWNER_JWT_KEY = 'owner-jwt-key';

export function ownerSigningKeySpec(dataDir?: string): SigningKeySpec {
  return { purpose: OWNER_JWT_KEY, label: 'the owner token key', consequence: 'sign every owner out', ...(dataDir ? { legacyPath: ownerSigningKeyPath(dataDir) } : {}) };
}

export function loadOrCreateOwnerSigningKey(db: Kysely<Database>, kek: Buffer, now: number, dataDir?: string): Promise<OwnerSigningKey> {
  return loadOrCreateSigningKey(db, kek, now, ownerSigningKeySpec(dataDir));
}

const aad = (purpose: string, kid: string) => `opendimo/${purpose}/${kid}`;

/**
 * The key for `spec.purpose`, created (or imported from the legacy file) on first use. Processes
 * starting at once race on one insert that does nothing on conflict, and all read back the winner.
 */
export async function loadOrCreateSigningKey(db: Kysely<Database>, kek: Buffer, now: number, spec: SigningKeySpec): Promise<OwnerSigningKey> {
  const read = () => db.selectFrom('node_keys').selectAll().where('purpose', '=', spec.purpose).executeTakeFirst();
  let row = await read();
  if (!row) {
    const candidate = (spec.legacyPath ? legacyRow(spec, kek) : undefined) ?? newRow(spec.purpose, kek, now);
    await db.insertInto('node_keys').values(candidate).onConflict((oc) => oc.column('purpose').doNothing()).execute();
    row = await read();
    if (!row) throw new OdmError('ODM_ERR_INTERNAL', `${spec.label} was not stored`);
  }
  return unseal(spec, kek, row, 'in the database');
}

function unseal(spec: SigningKeySpec, kek: Buffer, row: NodeKeysTable, where: string): OwnerSigningKey {
  let der: Buffer;
  try {
    if (row.alg !== 'ES256') throw new Error(`unexpected algorithm ${row.alg}`);
    der = open(toKey(kek), Buffer.from(row.sealed), aad(spec.purpose, row.kid));
  } catch (cause) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `${spec.label} ${where} does not open with this node's key-encryption key; delete it to ${spec.consequence} and start afresh`, {
      cause, details: { purpose: spec.purpose },
    });
  }
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return { alg: 'ES256', kid: row.kid, privateKey, publicKey: createPublicKey(privateKey) };
}

function newRow(purpose: string, kek: Buffer, now: number): NodeKeysTable {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('hex');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const sealed = seal(toKey(kek), der, aad(purpose, kid));
  der.fill(0);
  return { purpose, kid, alg: 'ES256', sealed, created_at: now };
}

interface LegacyKeyFile {
  format: 1;
  alg: 'ES256';
  kid: string;
  createdAt: number;
  /** Base64 of nonce ‖ ciphertext ‖ tag over the PKCS#8 DER private key. */
  sealed: string;
}

/** The legacy file's key as a row (checked to open with this KEK), or undefined if there is no file. */
function legacyRow(spec: SigningKeySpec, kek: Buffer): NodeKeysTable | undefined {
  const path = spec.legacyPath!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot read ${spec.label} ${path}`, { cause: err, details: { path } });
  }
  let row: NodeKeysTable;
  try {
    const file = JSON.parse(text) as LegacyKeyFile;
    if (file.format !== 1 || file.alg !== 'ES256' || typeof file.kid !== 'string') throw new Error('unexpected layout');
    row = { purpose: spec.purpose, kid: file.kid, alg: 'ES256', sealed: Buffer.from(file.sealed, 'base64'), created_at: file.createdAt };
  } catch (cause) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `${spec.label} ${path} is not a sealed key file; delete it to ${spec.consequence} and start afresh`, { cause, details: { path } });
  }
  unseal(spec, kek, row, path);
  return row;
}

// The key that signs owner session tokens (ES256). Generated on first start and kept in the data dir
// sealed with the node's KEK (AES-256-GCM, the vault's aead), so the file alone signs nothing. Losing it
// only signs every owner out. The same sealed-key file serves other token issuers (app access) under
// their own `purpose`, which names the file's role and binds the sealed key to it.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OdmError } from '../../core/errors.ts';
import { open, seal, toKey } from '../../vault/aead.ts';

export interface OwnerSigningKey {
  alg: 'ES256';
  /** Key id, in every token's header. */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

interface SealedKeyFile {
  format: 1;
  alg: 'ES256';
  kid: string;
  createdAt: number;
  /** Base64 of nonce ‖ ciphertext ‖ tag over the PKCS#8 DER private key. */
  sealed: string;
}

export function ownerSigningKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'owner-jwt-key.json');
}

const aad = (purpose: string, kid: string) => `opendimo/${purpose}/${kid}`;

export function loadOrCreateOwnerSigningKey(path: string, kek: Buffer, now: number): OwnerSigningKey {
  return loadOrCreateSealedSigningKey(path, kek, now, 'owner-jwt-key', 'the owner token key', 'sign every owner out');
}

/**
 * An ES256 key sealed under the KEK at `path`, created on first use. `purpose` is bound into the sealed
 * file (a key made for one issuer does not open as another's); `label` and `consequence` word the error.
 */
export function loadOrCreateSealedSigningKey(path: string, kek: Buffer, now: number, purpose: string, label: string, consequence: string): OwnerSigningKey {
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot read ${label} ${path}`, { cause: err, details: { path } });
  }
  if (text === undefined) return create(path, kek, now, purpose);
  let file: SealedKeyFile;
  let der: Buffer;
  try {
    file = JSON.parse(text) as SealedKeyFile;
    if (file.format !== 1 || file.alg !== 'ES256' || typeof file.kid !== 'string') throw new Error('unexpected layout');
    der = open(toKey(kek), Buffer.from(file.sealed, 'base64'), aad(purpose, file.kid));
  } catch (cause) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `${label} ${path} does not open with this node's key-encryption key; delete it to ${consequence} and start afresh`, { cause, details: { path } });
  }
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return { alg: 'ES256', kid: file.kid, privateKey, publicKey: createPublicKey(privateKey) };
}

function create(path: string, kek: Buffer, now: number, purpose: string): OwnerSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('hex');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const file: SealedKeyFile = { format: 1, alg: 'ES256', kid, createdAt: now, sealed: seal(toKey(kek), der, aad(purpose, kid)).toString('base64') };
  der.fill(0);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(file));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { alg: 'ES256', kid, privateKey, publicKey };
}

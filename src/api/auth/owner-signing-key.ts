// The key that signs owner session tokens (ES256). Generated on first start and kept in the data dir
// sealed with the node's KEK (AES-256-GCM, the vault's aead), so the file alone signs nothing. Losing it
// only signs every owner out.
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

const aad = (kid: string) => `opendimo/owner-jwt-key/${kid}`;

export function loadOrCreateOwnerSigningKey(path: string, kek: Buffer, now: number): OwnerSigningKey {
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot read the owner token key ${path}`, { cause: err, details: { path } });
  }
  if (text === undefined) return create(path, kek, now);
  let file: SealedKeyFile;
  let der: Buffer;
  try {
    file = JSON.parse(text) as SealedKeyFile;
    if (file.format !== 1 || file.alg !== 'ES256' || typeof file.kid !== 'string') throw new Error('unexpected layout');
    der = open(toKey(kek), Buffer.from(file.sealed, 'base64'), aad(file.kid));
  } catch (cause) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `the owner token key ${path} does not open with this node's key-encryption key; delete it to sign every owner out and start afresh`, { cause, details: { path } });
  }
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  der.fill(0);
  return { alg: 'ES256', kid: file.kid, privateKey, publicKey: createPublicKey(privateKey) };
}

function create(path: string, kek: Buffer, now: number): OwnerSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('hex');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const file: SealedKeyFile = { format: 1, alg: 'ES256', kid, createdAt: now, sealed: seal(toKey(kek), der, aad(kid)).toString('base64') };
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

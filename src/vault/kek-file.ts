// The node's key-encryption key, kept in a file readable only by the node's user. Data keys are wrapped
// by it; losing this file makes all stored owner data unreadable, which is why it is created once
// and never rewritten.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OdmError } from '../core/errors.ts';

export const KEK_BYTES = 32;

export function loadOrCreateKek(path: string): Buffer {
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(KEK_BYTES).toString('base64') + '\n');
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      return loadOrCreateKek(path);
    }
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot create the key-encryption key file ${path}`, { cause: err });
    }
  }
  return readKek(path);
}

function readKek(path: string): Buffer {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) chmodSync(path, 0o600); // tighten a file someone loosened
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== KEK_BYTES) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `key-encryption key file ${path} does not hold a ${KEK_BYTES}-byte base64 key`, {
      details: { path },
    });
  }
  return key;
}

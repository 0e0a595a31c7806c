import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { describeBothStores } from '../../../test/support/postgres.ts';
import { seal, toKey } from '../../vault/aead.ts';
import { loadOrCreateOwnerSigningKey, loadOrCreateSigningKey, ownerSigningKeyPath } from './owner-signing-key.ts';

describeBothStores('token signing keys', (target) => {
  it('processes starting at once agree on one key, kept sealed in the database', async () => {
    const { dataDir, databaseUrl } = await target.fresh();
    const a = await target.open({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    // A second process on PostgreSQL; on SQLite one process owns the file.
    const b = databaseUrl ? await target.open({ dataDir, databaseUrl }) : a;
    const kek = randomBytes(32);
    const keys = await Promise.all([a, b, a, b].map((s) => loadOrCreateOwnerSigningKey(s.db, kek, 1_000)));
    assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
    const sig = sign('sha256', Buffer.from('x'), keys[0]!.privateKey);
    assert.ok(verify('sha256', Buffer.from('x'), keys[3]!.publicKey, sig), 'every process signs with the same key');
    const rows = await a.db.selectFrom('node_keys').selectAll().execute();
    assert.equal(rows.length, 1);
    const der = keys[0]!.privateKey.export({ format: 'der', type: 'pkcs8' });
    assert.ok(!Buffer.from(rows[0]!.sealed).includes(der.subarray(-32)), 'no plaintext key in the row');
    // Another purpose is another key; another KEK opens none.
    const app = await loadOrCreateSigningKey(a.db, kek, 1_000, { purpose: 'app-jwt-key', label: 'the app token key', consequence: 'x' });
    assert.notEqual(app.kid, keys[0]!.kid);
    await assert.rejects(loadOrCreateOwnerSigningKey(a.db, randomBytes(32), 1_000), { code: 'ODM_ERR_CONFIG_INVALID' });
  });

  it('imports the sealed key file of an older node, so its tokens stay valid', async () => {
    const { dataDir, databaseUrl } = await target.fresh();
    const store = await target.open({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
    const kek = randomBytes(32);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = 'legacy0123456789';
    const sealed = seal(toKey(kek), privateKey.export({ format: 'der', type: 'pkcs8' }), `opendimo/owner-jwt-key/${kid}`);
    const path = ownerSigningKeyPath(dataDir);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ format: 1, alg: 'ES256', kid, createdAt: 5, sealed: sealed.toString('base64') }));
    const key = await loadOrCreateOwnerSigningKey(store.db, kek, 1_000, dataDir);
    assert.equal(key.kid, kid);
    const sig = sign('sha256', Buffer.from('token'), privateKey);
    assert.ok(verify('sha256', Buffer.from('token'), key.publicKey, sig));
    // From then on the database's copy is the key, with or without the file.
    assert.equal((await loadOrCreateOwnerSigningKey(store.db, kek, 2_000, join(dataDir, 'elsewhere'))).kid, kid);
  });
});

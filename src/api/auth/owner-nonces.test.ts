// Sign-in nonces on both stores: issued, found, spent once (even by racing sign-ins), pruned when expired.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeBothStores } from '../../../test/support/postgres.ts';
import { OwnerNonces } from './owner-nonces.ts';

const ALICE = '0x' + 'A1'.repeat(20);
const T0 = Date.UTC(2026, 0, 1);

describeBothStores('owner sign-in nonces', (target) => {
  it('are single-use, bound to address and domain, and pruned once expired', async () => {
    const store = await target.open();
    const nonces = new OwnerNonces(store.db);
    const a = await nonces.issue(ALICE, 'node.example:8780', T0, 300_000);
    assert.match(a.nonce, /^[0-9a-f]{32}$/);
    assert.deepEqual(await nonces.find(a.nonce), { nonce: a.nonce, address: ALICE.toLowerCase(), domain: 'node.example:8780', issuedAt: T0, expiresAt: T0 + 300_000 });
    const spent = await Promise.all([nonces.consume(a.nonce), nonces.consume(a.nonce), nonces.consume(a.nonce)]);
    assert.deepEqual(spent.filter(Boolean), [true], 'exactly one racing sign-in spends it');
    assert.equal(await nonces.find(a.nonce), undefined);

    const old = await nonces.issue(ALICE, 'node.example:8780', T0, 300_000);
    await nonces.issue(ALICE, 'node.example:8780', T0 + 300_000, 300_000); // issuing prunes what has expired
    assert.equal(await nonces.find(old.nonce), undefined);
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { recoverTypedDataAddress } from 'viem';
import { recoverDataSigner } from '../../../emulator/devices/signature.ts';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { openStore } from '../../store/open-store.ts';
import { mintSyntheticTyped } from '../onboarding/signing-payloads.ts';
import { ConnectorSealing } from '../tokens/sealing.ts';
import { DeviceKeys } from './device-keys.ts';

test('device keys: derived per (owner, OEM vehicle, generation) from a sealed seed; they sign, nothing else leaves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-device-keys-'));
  const store = await openStore({ dataDir: dir, logger: silentLogger() });
  try {
    const kek = randomBytes(32);
    const sealing = new ConnectorSealing(kek);
    const clock = new ManualClock();
    const keys = await DeviceKeys.open(store, sealing, clock);
    const owner = '0x' + 'ab'.repeat(20);
    const p0 = DeviceKeys.pathFor(owner, 'tesla', '1492931000540872', 0);
    const p1 = DeviceKeys.pathFor(owner, 'tesla', '1492931000540872', 1);
    assert.match(p0, /^m\/1397'\/1'\/\d+'\/\d+'\/0'$/);
    assert.equal(p0, DeviceKeys.pathFor(owner.toUpperCase().replace('0X', '0x'), 'tesla', '1492931000540872', 0), 'owner case does not matter');
    assert.notEqual(keys.address(p0), keys.address(p1), 'a reconnection gets a new key');
    assert.notEqual(keys.address(p0), keys.address(DeviceKeys.pathFor(owner, 'smartcar', '1492931000540872', 0)));

    // The same seed after a restart: same addresses. Another KEK cannot open it.
    const again = await DeviceKeys.open(store, sealing, clock);
    assert.equal(again.address(p0), keys.address(p0));
    await assert.rejects(DeviceKeys.open(store, new ConnectorSealing(randomBytes(32)), clock), { code: 'ODM_ERR_VAULT_KEYRING' });
    const row = await store.db.selectFrom('connector_secrets').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.sealed.length, 12 + 64 + 16, 'only the sealed seed is stored');

    // DIMO's data signature and the EIP-712 mint signature both recover to the device address.
    const data = Buffer.from('{"signals":[{"name":"speed","timestamp":"2026-01-05T12:00:00.000Z","value":1}]}');
    assert.equal(await recoverDataSigner(data, keys.signData(p0, data) as `0x${string}`), keys.address(p0));
    const typed = mintSyntheticTyped(137, '0x4804e8D1661cd1a1e5dDdE1ff458A7f878c0aC6D', { connectionId: 1n, vehicleId: 7n, device: keys.address(p0), nonce: 0n, deadline: 2n ** 40n });
    const signature = await keys.signTypedData(p0, typed);
    assert.equal(await recoverTypedDataAddress({ ...(typed as Parameters<typeof recoverTypedDataAddress>[0]), signature }), keys.address(p0));
    assert.deepEqual(Object.keys(keys), [], 'no key material on the object');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tokens are sealed per account under a wrapped key, bound to the account and version', () => {
  const sealing = new ConnectorSealing(randomBytes(32));
  const { key, wrapped } = sealing.newAccountKey('acc-1');
  const tokens = { accessToken: 'eyJ.secret', refreshToken: 'NA_refresh', issuedAt: 1, expiresAt: 2 };
  const sealed = sealing.sealTokens(key, 'acc-1', 3, tokens);
  assert.ok(!sealed.toString('latin1').includes('secret') && !sealed.toString('latin1').includes('NA_refresh'));
  assert.deepEqual(sealing.openTokens(sealing.unwrapAccountKey('acc-1', wrapped), 'acc-1', 3, sealed), tokens);
  assert.throws(() => sealing.openTokens(key, 'acc-2', 3, sealed), { code: 'ODM_ERR_DECRYPT' });
  assert.throws(() => sealing.openTokens(key, 'acc-1', 2, sealed), { code: 'ODM_ERR_DECRYPT' });
  assert.throws(() => sealing.unwrapAccountKey('acc-2', wrapped), { code: 'ODM_ERR_DECRYPT' });
  // OAuth state: opens only as sealed, under this node's KEK.
  const state = sealing.sealTransient('oauth-state', { o: '0xabc', e: 5 });
  assert.deepEqual(sealing.openTransient('oauth-state', state), { o: '0xabc', e: 5 });
  assert.throws(() => new ConnectorSealing(randomBytes(32)).openTransient('oauth-state', state));
  // VIN commitments: salted (not keccak of the VIN alone), stable for this node, case-insensitive.
  assert.equal(sealing.vinHash('5yj3e1eb0jf000001'), sealing.vinHash('5YJ3E1EB0JF000001'));
  assert.notEqual(sealing.vinHash('5YJ3E1EB0JF000001'), new ConnectorSealing(randomBytes(32)).vinHash('5YJ3E1EB0JF000001'));
});

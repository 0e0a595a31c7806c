// LicenseSigners on anvil: only a license's holder enables and disables signers (with a future expiry)
// and registers redirect URIs; every change emits the event the node mirrors; the views answer; and the
// licensing mirror follows the events into its tables and in-memory index (rollbacks included).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Abi, Address, Hex } from 'viem';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { LicensingMirror } from '../../src/licensing/licensing-mirror.ts';
import { openStore } from '../../src/store/open-store.ts';
import { makeTempDir } from '../../src/chain/testing.ts';
import { E18, Kind, expectRevert, issueLicense, oneEvent, stakeFor, startP2Chain, type P2Chain } from './protocol2-fixture.ts';

let c: P2Chain;
let signers: Address;
let licenseId: bigint;
let otherLicense: bigint;

const S = 'LicenseSigners';
const write = (from: P2Chain['actors'][keyof P2Chain['actors']], fn: string, args: readonly unknown[]) => c.write(from, signers, fn, args, S);
const read = <T>(fn: string, args: readonly unknown[]) => c.read<T>(signers, fn, args, S);
const events = async (receipt: Awaited<ReturnType<P2Chain['write']>>) => {
  const { parseEventLogs } = await import('viem');
  return parseEventLogs({ abi: c.artifacts[S]!.abi as Abi, logs: receipt.logs.filter((l) => l.address.toLowerCase() === signers.toLowerCase()) }) as unknown as { eventName: string; args: Record<string, unknown> }[];
};

before(async () => {
  c = await startP2Chain();
  signers = await c.deploy(c.actors.admin, S, [c.addr.Licenses]);
  licenseId = await issueLicense(c, c.actors.app.address, Kind.App);
  await stakeFor(c, c.actors.app, licenseId, 10_000n * E18);
  otherLicense = await issueLicense(c, c.actors.bob.address, Kind.App);
});
after(async () => {
  await c?.stop();
});

describe('LicenseSigners', () => {
  it('lets the holder enable a signer until a future expiry, and nobody else', async () => {
    const { app, bob, carol } = c.actors;
    const exp = (await c.now()) + 3600n;
    const receipt = await write(app, 'enableSigner', [licenseId, carol.address, exp]);
    assert.deepEqual(oneEvent(await events(receipt), 'SignerEnabled'), { licenseId, signer: carol.address, expiresAt: exp, by: app.address });
    assert.equal(await read<boolean>('isSigner', [licenseId, carol.address]), true);
    assert.equal(await read<bigint>('signerExpiresAt', [licenseId, carol.address]), exp);
    assert.equal(await read<boolean>('isSigner', [otherLicense, carol.address]), false, 'per license');

    await expectRevert(write(bob, 'enableSigner', [licenseId, bob.address, exp]), 'NotLicenseHolder', [licenseId, bob.address]);
    await expectRevert(write(app, 'enableSigner', [otherLicense, carol.address, exp]), 'NotLicenseHolder', [otherLicense, app.address]);
    await expectRevert(write(app, 'enableSigner', [licenseId, carol.address, await c.now()]), 'ExpiryNotInFuture');
    await expectRevert(write(app, 'enableSigner', [licenseId, '0x0000000000000000000000000000000000000000', exp]), 'InvalidSigner');
    await expectRevert(write(app, 'enableSigner', [999n, carol.address, exp]), 'ERC721NonexistentToken', [999n], c.artifacts.Licenses!.abi as Abi);
  });

  it('expires signers by chain time and disables them on request', async () => {
    const { app, dave } = c.actors;
    const exp = (await c.now()) + 100n;
    await write(app, 'enableSigner', [licenseId, dave.address, exp]);
    assert.equal(await read<boolean>('isSigner', [licenseId, dave.address]), true);
    await c.increaseTime(200n);
    assert.equal(await read<boolean>('isSigner', [licenseId, dave.address]), false, 'past its expiry');
    const receipt = await write(app, 'disableSigner', [licenseId, dave.address]);
    assert.deepEqual(oneEvent(await events(receipt), 'SignerDisabled'), { licenseId, signer: dave.address, by: app.address });
    assert.equal(await read<bigint>('signerExpiresAt', [licenseId, dave.address]), 0n);
    await expectRevert(write(app, 'disableSigner', [licenseId, dave.address]), 'SignerNotEnabled', [licenseId, dave.address]);
  });

  it('registers and removes redirect URIs, holder only, with bounded length', async () => {
    const { app, bob } = c.actors;
    const uri = 'https://app.example/callback';
    const on = await write(app, 'setRedirectUri', [licenseId, uri, true]);
    assert.deepEqual(oneEvent(await events(on), 'RedirectUriSet'), { licenseId, uri, enabled: true, by: app.address });
    assert.equal(await read<boolean>('isRedirectUri', [licenseId, uri]), true);
    assert.equal((await events(await write(app, 'setRedirectUri', [licenseId, uri, true]))).length, 0, 'no change, no event');
    await expectRevert(write(bob, 'setRedirectUri', [licenseId, 'https://evil.example', true]), 'NotLicenseHolder');
    await expectRevert(write(app, 'setRedirectUri', [licenseId, '', true]), 'InvalidUri');
    await expectRevert(write(app, 'setRedirectUri', [licenseId, 'x'.repeat(257), true]), 'InvalidUri');
    await write(app, 'setRedirectUri', [licenseId, uri, false]);
    assert.equal(await read<boolean>('isRedirectUri', [licenseId, uri]), false);
  });

  it('follows the license when the licensing team moves it: the new holder manages its keys', async () => {
    const { admin, app, bob, carol } = c.actors;
    await c.write(admin, 'Licenses', 'transferLicense', [otherLicense, app.address]);
    await write(app, 'enableSigner', [otherLicense, carol.address, (await c.now()) + 600n]);
    await expectRevert(write(bob, 'disableSigner', [otherLicense, carol.address]), 'NotLicenseHolder');
    await c.write(admin, 'Licenses', 'transferLicense', [otherLicense, bob.address]);
    await write(bob, 'disableSigner', [otherLicense, carol.address]);
  });
});

describe('LicenseSigners in the licensing mirror', () => {
  it('mirrors signers and redirect URIs into tables and index, and undoes them on a reorg', async () => {
    const temp = await makeTempDir('signers-mirror');
    const store = await openStore({ dataDir: temp.dir, logger: silentLogger() });
    const abis = Object.fromEntries(Object.entries(c.artifacts).map(([n, a]) => [n, a.abi]));
    const mirror = await LicensingMirror.open({
      store, publicClient: c.pub, contracts: { ...c.addr, LicenseSigners: signers }, abis, deploymentBlock: 0n, confirmations: 0, logger: silentLogger(), clock: systemClock,
    });
    const sync = async () => {
      while (await mirror.indexer.step());
    };
    try {
      const { app, carol, stranger } = c.actors;
      await sync();
      assert.equal(mirror.signers.expiryOf(licenseId, carol.address), Number(await read<bigint>('signerExpiresAt', [licenseId, carol.address])));
      assert.equal(mirror.signers.expiryOf(licenseId, c.actors.dave.address), undefined, 'disabled signers are gone');
      assert.deepEqual(mirror.signers.redirectUris(licenseId), [], 'the URI was removed again');

      const snap: Hex = await c.snapshot();
      await write(app, 'setRedirectUri', [licenseId, 'https://app.example/cb', true]);
      await write(app, 'enableSigner', [licenseId, stranger.address, (await c.now()) + 900n]);
      await sync();
      assert.ok(mirror.signers.hasRedirectUri(licenseId, 'https://app.example/cb'));
      assert.deepEqual(mirror.signers.grantsOf(stranger.address).map((g) => g.licenseId), [licenseId]);
      const rows = await store.db.selectFrom('license_signers').selectAll().where('signer', '=', stranger.address.toLowerCase()).execute();
      assert.equal(rows.length, 1);

      // A reorg takes both changes back out of the tables and the index.
      await c.revert(snap);
      await c.increaseTime(1n);
      await c.increaseTime(1n);
      await sync();
      assert.equal(mirror.signers.hasRedirectUri(licenseId, 'https://app.example/cb'), false);
      assert.deepEqual(mirror.signers.grantsOf(stranger.address), []);

      // A restart loads the same state from the tables.
      const again = await LicensingMirror.open({
        store, publicClient: c.pub, contracts: { ...c.addr, LicenseSigners: signers }, abis, deploymentBlock: 0n, confirmations: 0, logger: silentLogger(), clock: systemClock,
      });
      assert.equal(again.signers.expiryOf(licenseId, carol.address), mirror.signers.expiryOf(licenseId, carol.address));
    } finally {
      await mirror.stop();
      await store.close();
      await temp.cleanup();
    }
  });
});

// The protocol commands as a user runs them: `opendimo license|issuance|pay …` against anvil, each
// printing what it did and the transaction hash, and refusing with the decoded custom error's code.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TEST_CACHE_DIR } from '../../src/chain/testing.ts';
import { E18, oneEvent, startP2Chain, type P2Chain } from '../contracts/protocol2-fixture.ts';
import { grab, json, ok, protocolCli, type CliRun } from './support/protocol-cli.ts';

let c: P2Chain;
let dir: string;
let cli: (args: string[], signer?: Parameters<ReturnType<typeof protocolCli>>[1]) => Promise<CliRun>;
const TX = /\ntx (0x[0-9a-f]{64})/;

before(async () => {
  c = await startP2Chain();
  dir = mkdtempSync(join(tmpdir(), 'odm-license-cli-'));
  const deployment = { chainId: c.anvil.chainId, deployer: c.actors.admin.address, contracts: c.addr, blockNumber: '0', planHash: 'test' };
  writeFileSync(join(dir, 'deployment.json'), JSON.stringify(deployment));
  cli = protocolCli(['--rpc', c.anvil.rpcUrl, '--deployment', join(dir, 'deployment.json'), '--cache-dir', TEST_CACHE_DIR]);
});
after(async () => {
  await c?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('opendimo license', () => {
  let appId: string;

  it('issues, stakes and shows a license', async () => {
    const { admin, app } = c.actors;
    const issued = await ok(cli(['license', 'issue', '--to', app.address, '--kind', 'app', '--legal-name', 'Acme Apps', '--website', 'https://acme.example'], admin));
    appId = grab(issued, /issued app license (\d+) to /);
    assert.match(issued, TX);
    const onChain = await c.read<{ metadata: { legalName: string } }>('Licenses', 'license', [BigInt(appId)]);
    assert.equal(onChain.metadata.legalName, 'Acme Apps');

    await c.write(admin, 'DimoToken', 'mint', [app.address, 10_000n * E18]);
    const staked = await ok(cli(['license', 'stake', appId, '10,000'], app));
    assert.match(staked, new RegExp(`staked 10,000 DIMO on license ${appId}: total 10,000 DIMO, trust ratio 1\\n`));
    assert.match(staked, /approve tx 0x[0-9a-f]{64}/, 'approves the Licenses contract first');
    assert.match(staked, TX);
    assert.equal(await c.read('Licenses', 'stakeOf', [BigInt(appId)]), 10_000n * E18);

    const text = await ok(cli(['license', 'show', appId]));
    assert.match(text, new RegExp(`license ${appId} · app · active`));
    assert.match(text, /stake +10,000 DIMO of 10,000 DIMO required/);
    assert.match(text, /active: may receive data/);
    const shown = json(await ok(cli(['license', 'show', appId, '--json'])));
    assert.equal(shown.trustRatio, '1');
    assert.equal(shown.trustRatioWad, E18.toString());
    assert.equal(shown.active, true);
    assert.equal(shown.holder, app.address.toLowerCase());
    const held = json(await ok(cli(['license', 'show', '--holder', app.address, '--json'])));
    assert.deepEqual((held.licenses as { licenseId: string }[]).map((l) => l.licenseId), [appId]);
  });

  it('suspends, and refuses a second suspension with the decoded contract error', async () => {
    const { admin } = c.actors;
    const out = await ok(cli(['license', 'suspend', appId, '--reason', 'audit pending'], admin));
    assert.match(out, new RegExp(`suspended license ${appId} \\(now suspended\\): audit pending`));
    assert.match(out, TX);
    assert.equal(await c.read('Licenses', 'statusOf', [BigInt(appId)]), 2);
    const shown = json(await ok(cli(['license', 'show', appId, '--json'])));
    assert.equal(shown.status, 'suspended');
    assert.equal(shown.active, false);

    const again = await cli(['license', 'suspend', appId, '--reason', 'twice'], admin);
    assert.equal(again.code, 1);
    assert.match(again.out, new RegExp(`opendimo: ODM_ERR_LICENSE_INVALID_STATUS: Licenses.suspend refused: license ${appId} is suspended`));
    await ok(cli(['license', 'unsuspend', appId, '--reason', 'audit passed'], admin));
  });

  it('refuses without the needed role, without a key, and for an unknown license', async () => {
    const denied = await cli(['license', 'issue', '--to', c.actors.stranger.address, '--kind', 'client', '--legal-name', 'Nope'], c.actors.stranger);
    assert.equal(denied.code, 1);
    assert.match(denied.out, /opendimo: ODM_ERR_CHAIN_UNAUTHORIZED: Licenses.issue refused: 0x[0-9a-fA-F]{40} lacks role 0x[0-9a-f]{64}/);
    const keyless = await cli(['license', 'revoke', appId, '--reason', 'x']);
    assert.match(keyless.out, /opendimo: ODM_ERR_CONFIG_INVALID: set OPENDIMO_KEY/);
    assert.doesNotMatch(keyless.out, /0x[0-9a-f]{64}/, 'no key material in the output');
    const unknown = await cli(['license', 'show', '999']);
    assert.match(unknown.out, /opendimo: ODM_ERR_LICENSE_UNKNOWN: no license 999/);
    const locked = await cli(['license', 'unstake', appId, '1'], c.actors.app);
    assert.match(locked.out, /opendimo: ODM_ERR_STAKE_BELOW_REQUIREMENT: Licenses.withdrawStake refused: only 0 DIMO stands above the requirement/);
    const broke = await cli(['license', 'stake', appId, '5'], c.actors.stranger);
    assert.match(broke.out, /opendimo: ODM_ERR_TOKEN_BALANCE_TOO_LOW: 0x[0-9a-fA-F]{40} holds 0 DIMO; this needs 5 DIMO/);
  });

  it('challenges and rules, slashing below the requirement', async () => {
    const { admin, challenger } = c.actors;
    await c.write(admin, 'DimoToken', 'mint', [challenger.address, 1_000n * E18]);
    const opened = await ok(cli(['license', 'challenge', appId, '--reason-uri', 'ipfs://evidence'], challenger));
    const challengeId = grab(opened, /opened challenge (\d+) against license/);
    assert.match(opened, /deposit of 1,000 DIMO/);
    assert.equal(json(await ok(cli(['license', 'show', appId, '--json']))).openChallenges, 1);
    const ruled = await ok(cli(['license', 'rule', challengeId, '--uphold', '--slash', '2000', '--ruling-uri', 'ipfs://ruling'], admin));
    assert.match(ruled, /slashed 2,000 DIMO \(burned 1,800 DIMO, challenger reward 200 DIMO, owners 0 DIMO\)/);
    const shown = json(await ok(cli(['license', 'show', appId, '--json'])));
    assert.equal(shown.trustRatio, '0.8');
    assert.equal(shown.active, false);
    const twice = await cli(['license', 'rule', challengeId, '--reject', '--ruling-uri', 'ipfs://again'], admin);
    assert.match(twice.out, new RegExp(`opendimo: ODM_ERR_CHALLENGE_NOT_OPEN: Challenges.reject refused: challenge ${challengeId} is already decided`));
  });
});

describe('opendimo issuance and pay', () => {
  it('mints the current week once', async () => {
    const minted = await ok(cli(['issuance', 'mint'], c.actors.stranger));
    assert.match(minted, /minted week 0: 1,105,000 DIMO\n {2}rewards 773,500 DIMO/);
    const again = await cli(['issuance', 'mint'], c.actors.stranger);
    assert.match(again.out, /opendimo: ODM_ERR_ISSUANCE_WEEK_NOT_STARTED: Issuance.mintWeek refused: week 1 starts at /);
  });

  it('subscribes an app to a vehicle, pays a period and shows it', async () => {
    const { admin, app, alice } = c.actors;
    const issued = await ok(cli(['license', 'issue', '--to', app.address, '--kind', 'app', '--legal-name', 'Payer'], admin));
    const payerId = grab(issued, /license (\d+)/);
    await c.write(admin, 'DimoToken', 'mint', [app.address, 10_002n * E18]);
    await ok(cli(['license', 'stake', payerId, '10000'], app));
    const minted = await c.write(alice, 'VehicleId', 'mint', [{ make: 'Ford', model: 'F-150', year: 2021, vinHash: `0x${'22'.repeat(32)}` }]);
    const vehicleId = String(oneEvent(c.events(minted, 'VehicleId'), 'VehicleMinted').vehicleId);
    const subscribed = await ok(cli(['pay', 'subscribe', '--app', payerId, '--vehicle', vehicleId, '--node', '1', '--price', '2'], app));
    const subscriptionId = grab(subscribed, /opened subscription (\d+)/);
    assert.match(await ok(cli(['pay', 'show', subscriptionId])), /not paid up/);
    const paid = await ok(cli(['pay', 'pay', subscriptionId, '--periods', '1'], app));
    assert.match(paid, /owner 1400000000000000000 · node 400000000000000000 · treasury 200000000000000000/);
    assert.match(await ok(cli(['pay', 'show', subscriptionId])), /· active · paid up/);
    const low = await cli(['pay', 'subscribe', '--app', payerId, '--vehicle', vehicleId, '--node', '1', '--price', '0.5'], app);
    assert.match(low.out, /opendimo: ODM_ERR_PAY_PRICE_TOO_LOW: DimoPay.subscribe refused: the price 0.5 DIMO is below the minimum 1 DIMO per period/);
  });
});

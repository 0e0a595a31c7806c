import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OdmError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { startAnvil, type AnvilHandle } from './anvil.ts';
import type { Artifacts } from './artifacts.ts';
import { ANVIL_DEV_PRIVATE_KEY } from './constants.ts';
import type { Deployment } from './deploy.ts';
import type { DeployStep } from './deploy-types.ts';
import { ensureDeployment, loadDeployment, saveDeployment } from './deployment-file.ts';
import { makeTempDir, tokenOnlyArtifacts, tokenOnlyPlan } from './testing.ts';

const logger = silentLogger();
let artifacts: Artifacts;
let dir: string;
const anvils: AnvilHandle[] = [];
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  const temp = await makeTempDir('deployment');
  cleanups.push(temp.cleanup);
  dir = temp.dir;
  artifacts = await tokenOnlyArtifacts(logger);
});
after(async () => {
  await Promise.all(anvils.map((a) => a.stop()));
  for (const c of cleanups) await c();
});

async function anvil(chainId?: number): Promise<AnvilHandle> {
  const a = await startAnvil({ logger, ...(chainId ? { chainId } : {}) });
  anvils.push(a);
  return a;
}

const sample: Deployment = {
  chainId: 31337,
  deployer: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  contracts: { DimoToken: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  blockNumber: '1',
  planHash: 'abc',
};

describe('deployment file', () => {
  test('save then load round-trips, atomically', async () => {
    const file = join(dir, 'nested', 'deployment.json');
    await saveDeployment(file, sample);
    assert.deepEqual(await loadDeployment(file), sample);
    assert.deepEqual(await readdir(join(dir, 'nested')), ['deployment.json'], 'no temp file left behind');
  });

  test('a missing file loads as undefined; a malformed one is ODM_ERR_CONFIG_INVALID', async () => {
    assert.equal(await loadDeployment(join(dir, 'absent.json')), undefined);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"chainId": "x"}');
    await assert.rejects(loadDeployment(bad), (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CONFIG_INVALID' && /chainId/.test(err.message));
    await writeFile(bad, 'not json');
    await assert.rejects(loadDeployment(bad), (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CONFIG_INVALID');
  });
});

describe('ensureDeployment', () => {
  test('deploys once, reuses after, and redeploys when the chain was reset, the plan changed or the record is damaged', async () => {
    const file = join(dir, 'ensure', 'deployment.json');
    const opts = { file, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan: tokenOnlyPlan };

    const chain = await anvil();
    const first = await ensureDeployment({ ...opts, rpcUrl: chain.rpcUrl });
    assert.equal(first.reused, false);
    assert.deepEqual(await loadDeployment(file), first.deployment);

    const second = await ensureDeployment({ ...opts, rpcUrl: chain.rpcUrl });
    assert.equal(second.reused, true);
    assert.deepEqual(second.deployment, first.deployment);

    // A changed plan (one more contract) means a fresh deployment.
    const bigger: DeployStep[] = [...tokenOnlyPlan, { name: 'Other', contract: 'DimoToken', args: (ctx) => [ctx.account] }];
    const third = await ensureDeployment({ ...opts, rpcUrl: chain.rpcUrl, plan: bigger });
    assert.equal(third.reused, false);
    assert.deepEqual(Object.keys(third.deployment.contracts), ['DimoToken', 'Other']);
    assert.notEqual(third.deployment.planHash, first.deployment.planHash);
    await chain.stop();

    // A fresh chain (no state): the recorded addresses have no code any more.
    const fresh = await anvil();
    const fourth = await ensureDeployment({ ...opts, rpcUrl: fresh.rpcUrl });
    assert.equal(fourth.reused, false);
    const code = await fetch(fresh.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getCode', params: [fourth.deployment.contracts.DimoToken, 'latest'] }),
    }).then((r) => r.json() as Promise<{ result: string }>);
    assert.ok(code.result.length > 2, 'the new deployment has code');

    // Another chain id.
    const other = await anvil(4242);
    const fifth = await ensureDeployment({ ...opts, rpcUrl: other.rpcUrl });
    assert.equal(fifth.reused, false);
    assert.equal(fifth.deployment.chainId, 4242);

    // A damaged record is replaced, not fatal.
    await writeFile(file, '{ truncated');
    const sixth = await ensureDeployment({ ...opts, rpcUrl: other.rpcUrl });
    assert.equal(sixth.reused, false);
    assert.deepEqual(await loadDeployment(file), sixth.deployment);
  });
});

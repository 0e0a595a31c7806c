import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Hex } from 'viem';
import { OdmError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { startAnvil, type AnvilHandle } from './anvil.ts';
import { createChainClients } from './clients.ts';
import { ANVIL_DEV_KEYS } from './constants.ts';
import { runDeployCommand } from './deploy-command.ts';
import { loadDeployment } from './deployment-file.ts';
import { makeTempDir, TEST_CACHE_DIR, tokenOnlyContractsDir, tokenOnlyPlan } from './testing.ts';

const logger = silentLogger();
let anvil: AnvilHandle;
let contractsDir: string;
let outDir: string;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  // A chain the operator runs themselves, with its own chain id.
  anvil = await startAnvil({ logger, chainId: 80002 });
  const src = await tokenOnlyContractsDir();
  const out = await makeTempDir('deploy-out');
  cleanups.push(src.cleanup, out.cleanup);
  contractsDir = src.dir;
  outDir = out.dir;
});
after(async () => {
  await anvil?.stop();
  for (const c of cleanups) await c();
});

const base = () => ({ logger, cacheDir: TEST_CACHE_DIR, contractsDir, plan: tokenOnlyPlan });
const key = ANVIL_DEV_KEYS[3]!;

describe('runDeployCommand', () => {
  test('deploys to the given RPC with the given key and records the deployment', async () => {
    const out = join(outDir, 'deployment.json');
    const deployment = await runDeployCommand({ ...base(), rpcUrl: anvil.rpcUrl, privateKey: key, out });
    assert.equal(deployment.chainId, 80002);
    assert.equal(deployment.deployer, createChainClients({ rpcUrl: anvil.rpcUrl, chainId: 80002, privateKey: key }).account.address);
    assert.ok(deployment.contracts.DimoToken);
    assert.deepEqual(await loadDeployment(out), deployment);
    const { publicClient } = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: 80002 });
    const code = await publicClient.getCode({ address: deployment.contracts.DimoToken });
    assert.ok(code && code.length > 2);
  });

  test('a malformed key is ODM_ERR_CONFIG_INVALID and is not echoed', async () => {
    const badKey = `${key.slice(0, 60)}zz` as Hex;
    await assert.rejects(runDeployCommand({ ...base(), rpcUrl: anvil.rpcUrl, privateKey: badKey }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CONFIG_INVALID');
      assert.ok(!JSON.stringify({ m: err.message, d: err.details }).includes(key.slice(2, 60)));
      return true;
    });
    await assert.rejects(runDeployCommand({ ...base(), rpcUrl: anvil.rpcUrl, privateKey: '0x1234' }), { code: 'ODM_ERR_CONFIG_INVALID' });
  });

  test('a malformed RPC URL is ODM_ERR_CONFIG_INVALID; an unreachable one ODM_ERR_CHAIN_UNAVAILABLE', async () => {
    for (const rpcUrl of ['not a url', 'ftp://127.0.0.1:8545', '']) {
      await assert.rejects(runDeployCommand({ ...base(), rpcUrl, privateKey: key }), { code: 'ODM_ERR_CONFIG_INVALID' });
    }
    await assert.rejects(runDeployCommand({ ...base(), rpcUrl: 'http://127.0.0.1:9/v2/SECRETKEY', privateKey: key }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CHAIN_UNAVAILABLE');
      assert.doesNotMatch(err.message, /SECRETKEY/, 'API keys in RPC URLs are not echoed');
      return true;
    });
  });
});

// The embedded chain's lifecycle (start, deploy, restart, crash recovery). It deploys DimoToken alone so
// the test does not hinge on every contract in contracts/ compiling; the full plan runs in the node's tests.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseEther, type Address } from 'viem';
import { silentLogger } from '../core/logger.ts';
import { isAlive } from './anvil-pid-file.ts';
import { getArtifact } from './artifacts.ts';
import { ANVIL_DEV_ADDRESS, ANVIL_DEV_KEYS } from './constants.ts';
import { createChainClients, type SignerChainClients } from './clients.ts';
import { embeddedChainPaths, startEmbeddedChain, type EmbeddedChain } from './embedded.ts';
import { chainProbe } from './probe.ts';
import { makeTempDir, readAs, sendAndMine, TEST_CACHE_DIR, tokenOnlyContractsDir, tokenOnlyPlan } from './testing.ts';

const logger = silentLogger();
const chains: EmbeddedChain[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(chains.map((c) => c.stop()));
  for (const c of cleanups) await c();
});

let contractsDir: string;
before(async () => {
  const temp = await tokenOnlyContractsDir();
  cleanups.push(temp.cleanup);
  contractsDir = temp.dir;
});

async function start(dataDir: string): Promise<EmbeddedChain> {
  const chain = await startEmbeddedChain({ dataDir, logger, cacheDir: TEST_CACHE_DIR, contractsDir, plan: tokenOnlyPlan });
  chains.push(chain);
  return chain;
}

const balanceOf = (chain: EmbeddedChain, who: Address) =>
  readAs<bigint>(chain.clients.publicClient, chain.deployment.contracts.DimoToken!, getArtifact(chain.artifacts, 'DimoToken').abi, 'balanceOf', [who]);
const sendToken = (chain: EmbeddedChain, as: SignerChainClients, functionName: string, args: readonly unknown[]) =>
  sendAndMine(as, chain.deployment.contracts.DimoToken!, getArtifact(chain.artifacts, 'DimoToken').abi, functionName, args);

describe('startEmbeddedChain', () => {
  test('deploys on first start; a restart resumes the same chain, addresses and balances', async () => {
    const { dir, cleanup } = await makeTempDir('embedded');
    cleanups.push(cleanup);
    const alice = createChainClients({ rpcUrl: 'http://127.0.0.1:1', chainId: 31337, privateKey: ANVIL_DEV_KEYS[1]! }).account.address;
    const bob: Address = '0x000000000000000000000000000000000000b0b0';

    const first = await start(dir);
    const paths = embeddedChainPaths(dir);
    assert.equal(first.anvil.chainId, 31337);
    assert.equal(first.deployment.deployer, ANVIL_DEV_ADDRESS);
    assert.equal(first.clients.account.address, ANVIL_DEV_ADDRESS);
    assert.ok(first.deployment.contracts.DimoToken, 'the token is deployed');
    assert.ok(existsSync(paths.deploymentFile));
    assert.equal((await chainProbe(first.clients.publicClient, first.deployment)()).ok, true);

    await sendToken(first, first.clients, 'mint', [alice, parseEther('100')]);
    const aliceClients = createChainClients({ rpcUrl: first.anvil.rpcUrl, chainId: 31337, privateKey: ANVIL_DEV_KEYS[1]! });
    await sendToken(first, aliceClients, 'transfer', [bob, parseEther('40')]);
    const block = await first.clients.publicClient.getBlockNumber();
    await first.stop();
    assert.equal(isAlive(first.anvil.pid), false);

    const second = await start(dir);
    assert.deepEqual(second.deployment, first.deployment, 'same deployment record, reused');
    assert.equal(await second.clients.publicClient.getBlockNumber(), block);
    assert.equal(await balanceOf(second, alice), parseEther('60'));
    assert.equal(await balanceOf(second, bob), parseEther('40'));

    // "Crash": the node dies without stopping the chain; the next start ends the leftover anvil, whose
    // final state dump keeps what happened since the last periodic dump.
    await sendToken(second, second.clients, 'mint', [bob, parseEther('1')]);
    const third = await start(dir);
    assert.equal(isAlive(second.anvil.pid), false, 'leftover anvil ended');
    assert.deepEqual(third.deployment.contracts, first.deployment.contracts);
    assert.equal(await balanceOf(third, bob), parseEther('41'));
    await third.stop();
  });
});

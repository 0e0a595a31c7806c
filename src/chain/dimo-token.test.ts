// DimoToken behaviour on a real anvil, deployed through deployContracts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseEther, parseSignature, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { OdmError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { startAnvil, type AnvilHandle } from './anvil.ts';
import type { Artifacts } from './artifacts.ts';
import { getArtifact } from './artifacts.ts';
import { createChainClients, type SignerChainClients } from './clients.ts';
import { ANVIL_DEV_ADDRESS, ANVIL_DEV_KEYS, ANVIL_DEV_PRIVATE_KEY } from './constants.ts';
import { computePlanHash, deployContracts, type Deployment } from './deploy.ts';
import { grantRole, roleId, writeAndWait } from './deploy-tx.ts';
import type { DeployStep } from './deploy-types.ts';
import { chainProbe } from './probe.ts';
import { readAs, sendAndMine, tokenOnlyArtifacts, tokenOnlyPlan } from './testing.ts';

const logger = silentLogger();
let anvil: AnvilHandle;
let artifacts: Artifacts;
let deployment: Deployment;
let admin: SignerChainClients;
let alice: SignerChainClients;
let bob: SignerChainClients;
let tokenAddress: Address;

before(async () => {
  [anvil, artifacts] = await Promise.all([startAnvil({ logger }), tokenOnlyArtifacts(logger)]);
  deployment = await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan: tokenOnlyPlan });
  const make = (key: `0x${string}`) => createChainClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, privateKey: key });
  admin = make(ANVIL_DEV_PRIVATE_KEY);
  alice = make(ANVIL_DEV_KEYS[1]!);
  bob = make(ANVIL_DEV_KEYS[2]!);
  tokenAddress = deployment.contracts.DimoToken!;
});
after(async () => {
  await anvil?.stop();
});

const abi = () => getArtifact(artifacts, 'DimoToken').abi;
const read = <T>(functionName: string, args: readonly unknown[] = []): Promise<T> => readAs<T>(admin.publicClient, tokenAddress, abi(), functionName, args);
const send = (who: SignerChainClients, functionName: string, args: readonly unknown[] = []) => sendAndMine(who, tokenAddress, abi(), functionName, args);

describe('deployContracts', () => {
  test('records chain, deployer, addresses with code, start block and plan hash', async () => {
    assert.equal(deployment.chainId, 31337);
    assert.equal(deployment.deployer, ANVIL_DEV_ADDRESS);
    assert.deepEqual(Object.keys(deployment.contracts), ['DimoToken']);
    assert.match(deployment.blockNumber, /^\d+$/);
    assert.equal(deployment.blockNumber, '1');
    assert.equal(deployment.planHash, computePlanHash(tokenOnlyPlan, artifacts));
    const code = await admin.publicClient.getCode({ address: tokenAddress });
    assert.ok(code && code.length > 2);
  });

  test('the plan hash changes with the bytecode', () => {
    const token = getArtifact(artifacts, 'DimoToken');
    const changed = { DimoToken: { ...token, bytecode: `${token.bytecode}00` as `0x${string}` } };
    assert.notEqual(computePlanHash(tokenOnlyPlan, changed), computePlanHash(tokenOnlyPlan, artifacts));
  });

  test('bad constructor arguments fail with ODM_ERR_CONTRACT_DEPLOY naming the step', async () => {
    const plan = [{ name: 'Broken', contract: 'DimoToken', args: () => ['0x0000000000000000000000000000000000000001', 'extra'] }];
    await assert.rejects(deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CONTRACT_DEPLOY');
      assert.equal(err.details.step, 'Broken');
      return true;
    });
  });

  test('a reverting transaction in an after hook fails with ODM_ERR_CONTRACT_DEPLOY and the revert reason', async () => {
    const plan: DeployStep[] = [{
      ...tokenOnlyPlan[0]!,
      // The deployer holds no tokens yet, so burning reverts.
      after: async (ctx) => {
        await writeAndWait(ctx, { target: 'DimoToken', functionName: 'burn', args: [1n] });
      },
    }];
    await assert.rejects(deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CONTRACT_DEPLOY');
      assert.equal(err.details.call, 'DimoToken.burn');
      assert.match(err.message, /ERC20InsufficientBalance/);
      return true;
    });
  });

  test('an after hook can grant a role to an earlier step by name', async () => {
    const plan: DeployStep[] = [
      ...tokenOnlyPlan,
      {
        name: 'SecondToken',
        contract: 'DimoToken',
        args: (ctx) => [ctx.account],
        after: async (ctx) => {
          await grantRole(ctx, { target: 'DimoToken', role: 'MINTER_ROLE', to: 'SecondToken' });
        },
      },
    ];
    const d = await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan });
    assert.equal(await readAs(admin.publicClient, d.contracts.DimoToken!, abi(), 'hasRole', [roleId('MINTER_ROLE'), d.contracts.SecondToken]), true);
  });

  test('an unreachable chain fails with ODM_ERR_CHAIN_UNAVAILABLE', async () => {
    await assert.rejects(
      deployContracts({ rpcUrl: 'http://127.0.0.1:9', privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan: tokenOnlyPlan }),
      (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CHAIN_UNAVAILABLE',
    );
  });
});

describe('DimoToken', () => {
  test('metadata: Dimo / DIMO / 18 decimals, deployer holds both roles', async () => {
    assert.equal(await read('name'), 'Dimo');
    assert.equal(await read('symbol'), 'DIMO');
    assert.equal(await read('decimals'), 18);
    assert.equal(await read('MINTER_ROLE'), roleId('MINTER_ROLE'));
    assert.equal(await read('hasRole', [roleId('DEFAULT_ADMIN_ROLE'), ANVIL_DEV_ADDRESS]), true);
    assert.equal(await read('hasRole', [roleId('MINTER_ROLE'), ANVIL_DEV_ADDRESS]), true);
  });

  test('a minter mints; anyone else is refused', async () => {
    await send(admin, 'mint', [alice.account.address, parseEther('1000')]);
    assert.equal(await read('balanceOf', [alice.account.address]), parseEther('1000'));
    await assert.rejects(send(alice, 'mint', [alice.account.address, 1n]), /AccessControlUnauthorizedAccount/);
  });

  test('minter role can be granted to another account (as the issuance contract will be)', async () => {
    await send(admin, 'grantRole', [roleId('MINTER_ROLE'), bob.account.address]);
    await send(bob, 'mint', [bob.account.address, parseEther('5')]);
    assert.equal(await read('balanceOf', [bob.account.address]), parseEther('5'));
  });

  test('holders burn their own tokens', async () => {
    const supply = await read<bigint>('totalSupply');
    await send(bob, 'burn', [parseEther('2')]);
    assert.equal(await read('balanceOf', [bob.account.address]), parseEther('3'));
    assert.equal(await read('totalSupply'), supply - parseEther('2'));
  });

  test('permit: a gasless approval signed with EIP-712 and submitted by someone else', async () => {
    const owner = privateKeyToAccount(ANVIL_DEV_KEYS[1]!);
    const spender = bob.account.address;
    const value = parseEther('250');
    const nonce = await read<bigint>('nonces', [owner.address]);
    const block = await admin.publicClient.getBlock();
    const deadline = block.timestamp + 3600n;
    const signature = await owner.signTypedData({
      domain: { name: 'Dimo', version: '1', chainId: anvil.chainId, verifyingContract: tokenAddress },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner: owner.address, spender, value, nonce, deadline },
    });
    const { r, s, v, yParity } = parseSignature(signature);
    const vv = v === undefined ? 27 + yParity : Number(v);
    // Bob pays the gas; Alice only signed.
    await send(bob, 'permit', [owner.address, spender, value, deadline, vv, r, s]);
    assert.equal(await read('allowance', [owner.address, spender]), value);
    assert.equal(await read('nonces', [owner.address]), nonce + 1n);
    // The same signature cannot be replayed.
    await assert.rejects(send(bob, 'permit', [owner.address, spender, value, deadline, vv, r, s]), /ERC2612InvalidSigner/);
    await send(bob, 'transferFrom', [owner.address, spender, parseEther('50')]);
    assert.equal(await read('allowance', [owner.address, spender]), parseEther('200'));
  });

  test('votes: timestamp clock, delegation gives voting power that follows transfers', async () => {
    assert.equal(await read('CLOCK_MODE'), 'mode=timestamp');
    const latest = await admin.publicClient.getBlock();
    assert.equal(await read('clock'), Number(latest.timestamp));

    const aliceAddress = alice.account.address;
    assert.equal(await read('getVotes', [aliceAddress]), 0n, 'no votes before delegating');
    await send(alice, 'delegate', [aliceAddress]);
    const balance = await read<bigint>('balanceOf', [aliceAddress]);
    assert.equal(await read('getVotes', [aliceAddress]), balance);
    assert.equal(await read('delegates', [aliceAddress]), aliceAddress);

    // Move time on so the checkpoint is in the past, then transfer and check both timepoints.
    const checkpointTime = await read<number>('clock');
    await admin.publicClient.request({ method: 'evm_increaseTime' as never, params: [3600] as never });
    await send(alice, 'transfer', [bob.account.address, parseEther('100')]);
    assert.equal(await read('getVotes', [aliceAddress]), balance - parseEther('100'));
    assert.equal(await read('getPastVotes', [aliceAddress, BigInt(checkpointTime)]), balance);
    assert.ok((await read<number>('clock')) >= checkpointTime + 3600, 'the clock is block time, which moved an hour');
  });
});

describe('chainProbe', () => {
  test('ok with block and chain in the detail; not ok when a contract is missing or the chain is down', async () => {
    const healthy = await chainProbe(admin.publicClient, deployment)();
    assert.equal(healthy.ok, true);
    assert.match(healthy.detail, /^block \d+, chain 31337$/);

    const missing = await chainProbe(admin.publicClient, { ...deployment, contracts: { DimoToken: '0x00000000000000000000000000000000000000aa' } })();
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /DimoToken/);

    const down = createChainClients({ rpcUrl: 'http://127.0.0.1:9', chainId: 31337, retryCount: 0 });
    const unreachable = await chainProbe(down.publicClient)();
    assert.equal(unreachable.ok, false);
  });
});

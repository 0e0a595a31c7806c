// Stake for a license on the dev node's chain, as a token holder would: the deployer (anvil dev key 0,
// which may mint DIMO on a local chain) mints, approves the Licenses contract and stakes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, parseAbi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEV_PRIVATE_KEY } from '../../../src/chain/constants.ts';

const ABI = parseAbi([
  'function mint(address to, uint256 amount)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function stake(uint256 licenseId, uint256 amount)',
]);

export async function stakeLicense(rpcUrl: string, dataDir: string, licenseId: bigint, dimo: bigint): Promise<void> {
  const deployment = JSON.parse(readFileSync(join(dataDir, 'chain', 'deployment.json'), 'utf8')) as { chainId: number; contracts: Record<string, Address> };
  const chain = { id: deployment.chainId, name: 'dev', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } };
  const account = privateKeyToAccount(ANVIL_DEV_PRIVATE_KEY as Hex);
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const amount = dimo * 10n ** 18n;
  const send = async (address: Address, functionName: 'mint' | 'approve' | 'stake', args: readonly unknown[]) => {
    const hash = await wallet.writeContract({ address, abi: ABI, functionName, args } as Parameters<typeof wallet.writeContract>[0]);
    const receipt = await client.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
  };
  await send(deployment.contracts.DimoToken!, 'mint', [account.address, amount]);
  await send(deployment.contracts.DimoToken!, 'approve', [deployment.contracts.Licenses!, amount]);
  await send(deployment.contracts.Licenses!, 'stake', [licenseId, amount]);
}

// Broadcasting the licensing team's own transactions (and license holders' key management). The team signs in the browser (its key never
// reaches the node); the node checks that the transaction goes to the licensing contracts, simulates it
// so a refusal comes back as the contract's decoded error (ODM_ERR_LICENSE_*, ODM_ERR_CHAIN_UNAUTHORIZED…),
// sends it, and answers once the licensing mirror holds its block. The chain enforces every role.
import { parseTransaction, recoverTransactionAddress, type Hex, type TransactionSerialized } from 'viem';
import { contractAbis } from '../chain/indexer/contract-abis.ts';
import { errorFragments, protocolError } from '../cli/protocol/contract-errors.ts';
import { OdmError } from '../core/errors.ts';
import { getLicensingMirror } from '../licensing/licensing-services.ts';
import type { NodeServices } from '../node/start-node.ts';

// LicenseSigners: a license holder's own API keys and redirect URIs, from the developer console.
export const TEAM_CONTRACTS = ['Licenses', 'Challenges', 'LicenseSigners'] as const;

export async function broadcastTeamTransaction(services: NodeServices, serialized: string): Promise<{ txHash: string; blockNumber: string; from: string; to: string }> {
  if (!/^0x[0-9a-fA-F]+$/.test(serialized) || serialized.length > 200_000) throw new OdmError('ODM_ERR_VALIDATION', 'serializedTransaction must be a signed transaction in 0x hex');
  const raw = serialized as TransactionSerialized;
  let tx: ReturnType<typeof parseTransaction>;
  let from: string;
  try {
    tx = parseTransaction(raw);
    from = (await recoverTransactionAddress({ serializedTransaction: raw })).toLowerCase();
  } catch (cause) {
    throw new OdmError('ODM_ERR_VALIDATION', 'not a signed transaction', { cause });
  }
  const { chain } = services;
  const target = TEAM_CONTRACTS.find((name) => chain.contracts[name]?.toLowerCase() === tx.to?.toLowerCase());
  if (!target) throw new OdmError('ODM_ERR_TRANSACTION_REFUSED', `this node relays only transactions to ${TEAM_CONTRACTS.join(' and ')}`);
  if (tx.chainId !== undefined && tx.chainId !== chain.chainId) throw new OdmError('ODM_ERR_TRANSACTION_REFUSED', `the transaction is for chain ${tx.chainId}; this node follows ${chain.chainId}`);
  const errors = errorFragments(Object.values(await contractAbis({ ...(chain.artifacts ? { artifacts: chain.artifacts } : {}), dataDir: services.config.dataDir, logger: services.logger })));
  const client = chain.clients.publicClient;
  try {
    await client.call({ account: from as Hex, to: tx.to!, data: tx.data ?? '0x', value: tx.value ?? 0n });
  } catch (err) {
    throw protocolError(err, `${target} call`, errors);
  }
  let hash: Hex;
  try {
    hash = await client.sendRawTransaction({ serializedTransaction: raw });
  } catch (err) {
    throw protocolError(err, `${target} transaction`, errors);
  }
  const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
  if (receipt.status !== 'success') throw new OdmError('ODM_ERR_CHAIN_REVERTED', `${target} transaction ${hash} reverted`, { details: { txHash: hash } });
  await getLicensingMirror(services).indexer.waitFor(receipt.blockNumber);
  return { txHash: hash, blockNumber: receipt.blockNumber.toString(), from, to: target };
}

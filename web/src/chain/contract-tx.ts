// Transactions the consoles send from the signed-in key (the licensing team's actions, a license
// holder's API keys): built and signed in this browser, broadcast by the node to the protocol's
// contracts only, refused with the contract's decoded error.
import { encodeFunctionData, type Abi, type Address } from 'viem';
import { api } from '../api/http.ts';
import type { Signer } from '../wallet/signer.ts';

interface TxParams {
  chainId: number;
  nonce: number;
  gasPrice: string;
  contracts: Record<string, Address | null>;
}

export async function sendContractTx(signer: Signer, contract: string, abi: Abi, functionName: string, args: readonly unknown[]): Promise<{ txHash: string; blockNumber: string }> {
  if (!signer.signTransaction) throw new Error('This action sends a transaction: sign in with a key (email account or private key), not a browser wallet.');
  const params = await api<TxParams>(`/v1/licensing/tx-params/${signer.address}`);
  const to = params.contracts[contract];
  if (!to) throw new Error(`this node has no ${contract} contract`);
  const data = encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]);
  const serializedTransaction = await signer.signTransaction({ to, data, nonce: params.nonce, gas: 1_500_000n, gasPrice: BigInt(params.gasPrice), chainId: params.chainId, type: 'legacy' });
  return api('/v1/licensing/transactions', { body: { serializedTransaction } });
}

// What signs for the person using the dashboard: a key held in this tab (the embedded wallet opened
// with the password, or a key pasted by a developer or the licensing team), or the browser's own
// wallet (window.ethereum). Everything the node needs signed goes through here.
import { createWalletClient, custom, getAddress, type Address, type EIP1193Provider, type Hex, type TransactionSerializable, type TypedDataDefinition } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export type SignerKind = 'embedded' | 'key' | 'injected';

export interface Signer {
  address: Address;
  kind: SignerKind;
  signMessage(message: string | { raw: Uint8Array | Hex }): Promise<Hex>;
  signTypedData(typed: TypedDataDefinition): Promise<Hex>;
  /** Local keys only: a signed raw transaction (the licensing team's actions). */
  signTransaction?(tx: TransactionSerializable): Promise<Hex>;
}

export function localSigner(privateKey: Hex, kind: 'embedded' | 'key'): Signer {
  const account = privateKeyToAccount(privateKey);
  return {
    address: account.address,
    kind,
    signMessage: (message) => account.signMessage({ message }),
    signTypedData: (typed) => account.signTypedData(typed as Parameters<typeof account.signTypedData>[0]),
    signTransaction: (tx) => account.signTransaction(tx),
  };
}

declare global {
  interface Window {
    ethereum?: EIP1193Provider;
  }
}

export function hasInjectedWallet(): boolean {
  return typeof window !== 'undefined' && window.ethereum !== undefined;
}

/** The browser wallet's first account (asks the wallet to connect when needed). */
export async function injectedSigner(): Promise<Signer> {
  const provider = window.ethereum;
  if (!provider) throw new Error('No browser wallet found (window.ethereum). Install one, or sign in with email and password.');
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[];
  if (!accounts[0]) throw new Error('The wallet shared no account.');
  const address = getAddress(accounts[0]);
  const client = createWalletClient({ account: address, transport: custom(provider) });
  return {
    address,
    kind: 'injected',
    signMessage: (message) => client.signMessage({ account: address, message }),
    signTypedData: (typed) => client.signTypedData({ account: address, ...(typed as object) } as Parameters<typeof client.signTypedData>[0]),
  };
}

// Fixed facts about the embedded development chain, kept in one place so the node, the CLI and tests agree.
import { fileURLToPath } from 'node:url';
import type { Address, Hex } from 'viem';

/** Chain id of the embedded anvil chain (anvil's default, which wallets already know as "localhost"). */
export const EMBEDDED_CHAIN_ID = 31337;

/**
 * Private key of anvil's dev account 0, derived from the public Hardhat/Foundry test mnemonic
 * ("test test ... junk"). It is world-known, so it protects nothing: use it only against the embedded
 * local chain, never on a network with real value, and still never log it.
 */
export const ANVIL_DEV_PRIVATE_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/** Address of {@link ANVIL_DEV_PRIVATE_KEY}; the embedded chain's deployer and admin. */
export const ANVIL_DEV_ADDRESS: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

/**
 * The first dev keys anvil funds (same public mnemonic), for tests that need several actors.
 * Index 0 is {@link ANVIL_DEV_PRIVATE_KEY}.
 */
export const ANVIL_DEV_KEYS: readonly Hex[] = [
  ANVIL_DEV_PRIVATE_KEY,
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
];

/** The repository root (this file lives in src/chain/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// What the node deploys, in order. Append one step per contract; a step can read the addresses of the
// steps before it (ctx.contracts) and wire itself up in `after` with the helpers in deploy-tx.ts.
// Changing the plan or any contract's bytecode changes the plan hash, so existing embedded chains redeploy.
import type { DeployStep } from './deploy-types.ts';
import { addressOf, grantRole, writeAndWait } from './deploy-tx.ts';
import type { DeployContext } from './deploy-types.ts';
import { getArtifact } from './artifacts.ts';
import { roleId } from './deploy-tx.ts';

export type { DeployContext, DeployStep } from './deploy-types.ts';

export const deployPlan: DeployStep[] = [
  {
    name: 'DimoToken',
    contract: 'DimoToken',
    // The deployer administers the token and may mint until the issuance contract takes over.
    args: (ctx) => [ctx.account],
  },
  // --- Protocol I: vehicle identity and consent ---
  // Device signing addresses used by any device kind; each is registered once, forever.
  { name: 'DeviceAddressRegistry', contract: 'DeviceAddressRegistry', args: (ctx) => [ctx.account] },
  // Integration providers (OEM APIs); the deployer issues them until the licensing team takes over.
  { name: 'Connections', contract: 'Connections', args: (ctx) => [ctx.account] },
  // Hardware makers; the deployer issues them until the licensing team takes over.
  { name: 'Manufacturers', contract: 'Manufacturers', args: (ctx) => [ctx.account] },
  // Vehicle identities; device contracts are wired in by the AftermarketDevice step.
  { name: 'VehicleId', contract: 'VehicleId', args: (ctx) => [ctx.account] },
  // OEM-API devices under a connection; may register device addresses.
  {
    name: 'SyntheticDevice',
    contract: 'SyntheticDevice',
    args: (ctx) => [addressOf(ctx, 'VehicleId'), addressOf(ctx, 'Connections'), addressOf(ctx, 'DeviceAddressRegistry'), ctx.account],
    after: async (ctx, address) => {
      await grantRole(ctx, { target: 'DeviceAddressRegistry', role: 'REGISTRAR_ROLE', to: address });
    },
  },
  // Hardware devices under a manufacturer; registers device addresses, then VehicleId learns both device kinds.
  {
    name: 'AftermarketDevice',
    contract: 'AftermarketDevice',
    args: (ctx) => [addressOf(ctx, 'VehicleId'), addressOf(ctx, 'Manufacturers'), addressOf(ctx, 'DeviceAddressRegistry'), ctx.account],
    after: async (ctx, address) => {
      await grantRole(ctx, { target: 'DeviceAddressRegistry', role: 'REGISTRAR_ROLE', to: address });
      await writeAndWait(ctx, { target: 'VehicleId', functionName: 'setDeviceContracts', args: [addressOf(ctx, 'SyntheticDevice'), address] });
    },
  },
  // Consent grants; vehicles are the supported asset.
  {
    name: 'Permissions',
    contract: 'Permissions',
    args: (ctx) => [ctx.account],
    after: async (ctx) => {
      await writeAndWait(ctx, { target: 'Permissions', functionName: 'setAssetSupported', args: [addressOf(ctx, 'VehicleId'), true] });
    },
  },
  // --- Protocol II: licensing, challenges, issuance, rewards, governance, DIMO Pay ---
  // Every contract below starts administered by the deployer; the DimoPay step then hands each
  // parameter role (GOVERNANCE_ROLE, DEFAULT_ADMIN_ROLE) to the Timelock and the deployer renounces
  // them. The deployer keeps the operational roles a local node needs: LICENSING_ROLE and
  // NODE_REPORTER_ROLE (Licenses), ARBITER_ROLE (Challenges), REWARDS_POSTER_ROLE (RewardsPayout).
  // LOCAL ONLY: a USDC-like token with an open faucet, so apps can try stable-coin payments.
  { name: 'StableToken', contract: 'StableToken', args: () => [] },
  // Governance-set conversion prices for DimoPay; the local chain starts at 1 DIMO = 0.10 USDC.
  {
    name: 'PriceFeed',
    contract: 'PriceFeed',
    args: (ctx) => [ctx.account, addressOf(ctx, 'DimoToken')],
    after: async (ctx) => {
      await writeAndWait(ctx, { target: 'PriceFeed', functionName: 'setPrice', args: [addressOf(ctx, 'StableToken'), P2_LOCAL_STABLE_UNITS_PER_DIMO * P2_E18] });
    },
  },
  // Client / node / app licenses with stake and trust ratio; VehicleId's onboarding gate when present.
  {
    name: 'Licenses',
    contract: 'Licenses',
    args: (ctx) => [ctx.account, addressOf(ctx, 'DimoToken')],
    after: async (ctx, address) => {
      await grantRole(ctx, { target: 'Licenses', role: 'NODE_REPORTER_ROLE', to: ctx.account });
      if (ctx.contracts.VehicleId) {
        await writeAndWait(ctx, { target: 'VehicleId', functionName: 'setOnboardingGate', args: [address] });
      }
      await bootstrapLocalNodeLicense(ctx);
    },
  },
  // Challenges against licensees: 1,000 DIMO deposit, challenger reward 10% of the slash.
  {
    name: 'Challenges',
    contract: 'Challenges',
    args: (ctx) => [ctx.account, addressOf(ctx, 'Licenses'), ctx.account, 1_000n * P2_E18, 1_000n],
    after: async (ctx, address) => {
      await grantRole(ctx, { target: 'Licenses', role: 'CHALLENGES_ROLE', to: address });
    },
  },
  // Weekly issuance from this block's time: rewards 70%, team 15%, DAO 15% (recipients fixed up below).
  {
    name: 'Issuance',
    contract: 'Issuance',
    args: async (ctx) => [
      ctx.account,
      addressOf(ctx, 'DimoToken'),
      (await ctx.publicClient.getBlock({ blockTag: 'latest' })).timestamp,
      [7_000, 1_500, 1_500],
      [ctx.account, ctx.account, ctx.account],
    ],
    after: async (ctx, address) => {
      await grantRole(ctx, { target: 'DimoToken', role: 'MINTER_ROLE', to: address });
    },
  },
  // Weekly rewards Merkle roots; receives the rewards budget.
  {
    name: 'RewardsPayout',
    contract: 'RewardsPayout',
    args: (ctx) => [ctx.account, addressOf(ctx, 'Issuance')],
    after: async (ctx, address) => {
      await writeAndWait(ctx, { target: 'Issuance', functionName: 'setRecipient', args: [0, address] });
    },
  },
  // 4-day timelock (the contract refuses less); anyone may execute a passed, queued proposal.
  {
    name: 'DimoTimelock',
    contract: 'DimoTimelock',
    args: (ctx) => [4n * 24n * 3600n, [], [P2_ZERO_ADDRESS], ctx.account],
  },
  // Governor: 60 s voting delay, 1 day voting period, no proposal threshold, 4% quorum.
  {
    name: 'DimoGovernor',
    contract: 'DimoGovernor',
    args: (ctx) => [addressOf(ctx, 'DimoToken'), addressOf(ctx, 'DimoTimelock'), 60, 86_400, 0n, 4n],
    after: async (ctx, address) => {
      await grantRole(ctx, { target: 'DimoTimelock', role: 'PROPOSER_ROLE', to: address });
      await grantRole(ctx, { target: 'DimoTimelock', role: 'CANCELLER_ROLE', to: address });
    },
  },
  // Subscriptions paid per vehicle per period: owner 70%, node 20%, treasury (Timelock) 10%;
  // at least 1 DIMO per 30-day period. Last Protocol II step: hands governance to the Timelock.
  {
    name: 'DimoPay',
    contract: 'DimoPay',
    args: (ctx) => [
      ctx.account,
      addressOf(ctx, 'Licenses'),
      addressOf(ctx, 'PriceFeed'),
      ctx.contracts.VehicleId ?? P2_ZERO_ADDRESS,
      addressOf(ctx, 'DimoTimelock'),
      [7_000, 2_000, 1_000],
      P2_E18,
      30n * 24n * 3600n,
    ],
    after: async (ctx) => {
      await handProtocol2ToGovernance(ctx);
    },
  },
  // --- App access ---
  // License API keys (signers with expiry) and redirect URIs, managed by each license's holder.
  { name: 'LicenseSigners', contract: 'LicenseSigners', args: (ctx) => [addressOf(ctx, 'Licenses')] },
];

// --- Protocol II deploy helpers ---
const P2_E18 = 10n ** 18n;
const P2_ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
/** Local dev price of one DIMO in StableToken base units (6 decimals): $0.10. */
const P2_LOCAL_STABLE_UNITS_PER_DIMO = 100_000n;
/** The local node's own node license stake: the 100,000 DIMO minimum plus room for 10,000 users. */
const P2_LOCAL_NODE_STAKE = 120_000n * P2_E18;

/**
 * Local chains only in effect: issues the deployer (the embedded node's key) node license #1 and stakes
 * for it, so the node can relay vehicle mints through the Licenses onboarding gate from the start.
 * Skipped when the deployer may not mint DIMO (a production token).
 */
async function bootstrapLocalNodeLicense(ctx: DeployContext): Promise<void> {
  const dimo = addressOf(ctx, 'DimoToken');
  const isMinter = await ctx.publicClient.readContract({
    address: dimo,
    abi: getArtifact(ctx.artifacts, 'DimoToken').abi,
    functionName: 'hasRole',
    args: [roleId('MINTER_ROLE'), ctx.account],
  });
  if (!isMinter) {
    ctx.logger.warn('deployer cannot mint DIMO; no local node license issued');
    return;
  }
  const metadata = { legalName: 'Local opendimo node', dba: 'opendimo', website: 'http://localhost', supportEmail: 'node@localhost' };
  await writeAndWait(ctx, { target: 'Licenses', functionName: 'issue', args: [ctx.account, 1, metadata] });
  await writeAndWait(ctx, { target: 'DimoToken', functionName: 'mint', args: [ctx.account, P2_LOCAL_NODE_STAKE] });
  await writeAndWait(ctx, { target: 'DimoToken', functionName: 'approve', args: [addressOf(ctx, 'Licenses'), P2_LOCAL_NODE_STAKE] });
  await writeAndWait(ctx, { target: 'Licenses', functionName: 'stake', args: [1n, P2_LOCAL_NODE_STAKE] });
}

/** Gives the Timelock every Protocol II parameter role and admin, then the deployer renounces them. */
async function handProtocol2ToGovernance(ctx: DeployContext): Promise<void> {
  const timelock = addressOf(ctx, 'DimoTimelock');
  await writeAndWait(ctx, { target: 'Challenges', functionName: 'setTreasury', args: [timelock] });
  await writeAndWait(ctx, { target: 'Issuance', functionName: 'setRecipient', args: [2, timelock] });
  const handover: [string, string[]][] = [
    ['PriceFeed', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
    ['Licenses', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
    ['Challenges', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
    ['Issuance', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
    ['RewardsPayout', ['DEFAULT_ADMIN_ROLE']],
    ['DimoPay', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
  ];
  for (const [target, roles] of handover) {
    for (const role of roles) await grantRole(ctx, { target, role, to: timelock });
    for (const role of roles) await writeAndWait(ctx, { target, functionName: 'renounceRole', args: [roleId(role), ctx.account] });
  }
  // The Timelock administers itself from here on.
  await writeAndWait(ctx, { target: 'DimoTimelock', functionName: 'renounceRole', args: [roleId('DEFAULT_ADMIN_ROLE'), ctx.account] });
}

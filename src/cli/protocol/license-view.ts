// `opendimo license show`: one license as the chain's views report it (not the node's mirror, so it
// works against any chain and shows what the contracts will enforce).
import type { Address } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { kindName, statusName } from '../../licensing/license-types.ts';
import { formatRatio } from '../../licensing/stake-math.ts';
import { formatDimo, formatTime } from './cli-values.ts';
import type { ProtocolClient } from './protocol-client.ts';

interface LicenseStruct {
  kind: number;
  status: number;
  openChallenges: number;
  issuedAt: bigint;
  endedAt: bigint;
  stake: bigint;
  requirementFloor: bigint;
  connectedUsers: bigint;
  metadata: { legalName: string; dba: string; website: string; supportEmail: string };
}

export interface LicenseView {
  licenseId: bigint;
  holder: string;
  identity: string;
  banned: boolean;
  kind: string;
  status: string;
  metadata: LicenseStruct['metadata'];
  stake: bigint;
  required: bigint;
  requirementFloor: bigint;
  connectedUsers: bigint;
  trustRatio: string;
  trustRatioWad: bigint;
  active: boolean;
  openChallenges: number;
  issuedAt: bigint;
  endedAt: bigint;
  withdrawableAt: bigint;
}

export async function readLicense(client: ProtocolClient, licenseId: bigint): Promise<LicenseView> {
  let l: LicenseStruct;
  let holder: Address;
  try {
    [l, holder] = await Promise.all([client.read<LicenseStruct>('Licenses', 'license', [licenseId]), client.read<Address>('Licenses', 'ownerOf', [licenseId])]);
  } catch (err) {
    if (err instanceof OdmError && err.code === 'ODM_ERR_TOKEN_NOT_FOUND') throw new OdmError('ODM_ERR_LICENSE_UNKNOWN', `no license ${licenseId} on this chain`, { status: 404, details: { licenseId: licenseId.toString() } });
    throw err;
  }
  const [required, ratio, active, withdrawableAt, banned, identity] = await Promise.all([
    client.read<bigint>('Licenses', 'requiredStake', [licenseId]),
    client.read<bigint>('Licenses', 'trustRatio', [licenseId]),
    client.read<boolean>('Licenses', 'isActive', [licenseId]),
    client.read<bigint>('Licenses', 'withdrawableAt', [licenseId]),
    client.read<boolean>('Licenses', 'isBanned', [holder]),
    client.read<Address>('Licenses', 'controllerOf', [holder]),
  ]);
  return {
    licenseId,
    holder: holder.toLowerCase(),
    identity: identity.toLowerCase(),
    banned,
    kind: kindName(l.kind),
    status: statusName(l.status),
    metadata: { legalName: l.metadata.legalName, dba: l.metadata.dba, website: l.metadata.website, supportEmail: l.metadata.supportEmail },
    stake: l.stake,
    required,
    requirementFloor: l.requirementFloor,
    connectedUsers: l.connectedUsers,
    trustRatio: formatRatio(ratio),
    trustRatioWad: ratio,
    active,
    openChallenges: Number(l.openChallenges),
    issuedAt: l.issuedAt,
    endedAt: l.endedAt,
    withdrawableAt,
  };
}

/** License ids ever issued to or moved to `holder` that it still holds, ascending. */
export async function licensesHeldBy(client: ProtocolClient, holder: Address): Promise<bigint[]> {
  const address = client.address('Licenses');
  const abi = client.abi('Licenses');
  const fromBlock = BigInt(client.deployment.blockNumber);
  const [issued, moved] = await Promise.all([
    client.clients.publicClient.getContractEvents({ address, abi, eventName: 'LicenseIssued', args: { holder }, fromBlock }),
    client.clients.publicClient.getContractEvents({ address, abi, eventName: 'LicenseTransferred', args: { to: holder }, fromBlock }),
  ]);
  const ids = [...new Set([...issued, ...moved].map((log) => (log as unknown as { args: { licenseId: bigint } }).args.licenseId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const owners = await Promise.all(ids.map((id) => client.read<Address>('Licenses', 'ownerOf', [id])));
  return ids.filter((_, i) => owners[i]!.toLowerCase() === holder.toLowerCase());
}

export function licenseLines(v: LicenseView): string[] {
  const standing = v.active ? 'active: may receive data' : `NOT active: ${inactiveReason(v)}`;
  const lines = [
    `license ${v.licenseId} · ${v.kind} · ${v.status}`,
    `  holder          ${v.holder}${v.identity !== v.holder ? ` (identity ${v.identity})` : ''}${v.banned ? ' — BANNED' : ''}`,
    `  legal name      ${v.metadata.legalName}${v.metadata.dba ? ` (dba ${v.metadata.dba})` : ''}`,
  ];
  if (v.metadata.website || v.metadata.supportEmail) lines.push(`  contact         ${[v.metadata.website, v.metadata.supportEmail].filter(Boolean).join('  ')}`);
  lines.push(
    `  stake           ${formatDimo(v.stake)} of ${formatDimo(v.required)} required`,
    `  trust ratio     ${v.trustRatio}${v.trustRatioWad < 10n ** 18n ? ' (< 1)' : ''}`,
  );
  if (v.requirementFloor > 0n) lines.push(`  floor           ${formatDimo(v.requirementFloor)}`);
  if (v.kind === 'node') lines.push(`  connected users ${v.connectedUsers}`);
  lines.push(`  open challenges ${v.openChallenges}`, `  issued          ${formatTime(v.issuedAt)}`);
  if (v.endedAt > 0n) lines.push(`  ended           ${formatTime(v.endedAt)}; stake withdrawable from ${formatTime(v.withdrawableAt)}`);
  lines.push(`  ${standing}`);
  return lines;
}

function inactiveReason(v: LicenseView): string {
  if (v.banned) return 'its holder is banned';
  if (v.status !== 'active') return `it is ${v.status}`;
  return 'its stake is below the requirement';
}

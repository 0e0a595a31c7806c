// The monthly licensing metrics the network publishes: who holds a license (business name, website,
// support email), how many users each client, node and app has, and every licensing decision of the
// month with its published reason. Figures are as of the month's end (or now, for the month under way).
//   users per client        distinct owners who connected a vehicle through the client's integrations
//                           (a synthetic device under a connection, or an aftermarket device from a
//                           manufacturer, owned by the client's identity) or who granted the client access
//   opted-in users per node connected users the node reports on chain (Licenses.setConnectedUsers)
//   users per app           distinct owners holding a live grant (vehicle or account) to the app's identity
// A license's identity is its holder's controller and every address linked to it.
import { OdmError } from '../../core/errors.ts';
import type { IdentityIndex } from '../../identity/identity-index.ts';
import type { LicenseRecord } from '../license-types.ts';
import type { LicensingIndex } from '../licensing-index.ts';
import type { DecisionRecord } from './decision-log.ts';

export interface MonthRange {
  month: string;
  from: number;
  to: number;
}

export function monthRange(month: string): MonthRange {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new OdmError('ODM_ERR_VALIDATION', 'month must be YYYY-MM', { details: { month } });
  return { month, from: Date.UTC(Number(m[1]), Number(m[2]) - 1, 1), to: Date.UTC(Number(m[1]), Number(m[2]), 1) };
}

export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

export const DEFINITIONS = {
  usersPerClient: 'distinct owners who connected a vehicle through an integration (connection or device manufacturer) owned by the client, or granted the client access, as of the month end',
  optedInUsersPerNode: 'connected users the node reports on chain (Licenses.setConnectedUsers), as mirrored',
  usersPerApp: 'distinct owners holding a live grant (vehicle or account) to the app or an address linked to it, as of the month end',
  decisions: 'every licensing decision made on chain during the month, with its published reason (challenge rulings: the ruling URI)',
};

interface Party {
  licenseId: string;
  kind: string;
  status: string;
  businessName: string;
  dba: string;
  website: string;
  supportEmail: string;
  holder: string;
  issuedAt: number;
}

function party(l: LicenseRecord): Party {
  return {
    licenseId: l.licenseId.toString(), kind: l.kind, status: l.status, businessName: l.metadata.legalName, dba: l.metadata.dba,
    website: l.metadata.website, supportEmail: l.metadata.supportEmail, holder: l.holder, issuedAt: l.issuedAt,
  };
}

/** The addresses acting for a license: its holder's identity and every address linked to it. */
function identityOf(licensing: LicensingIndex, l: LicenseRecord): Set<string> {
  const controller = licensing.controllerOf(l.holder);
  return new Set([l.holder, controller, ...licensing.linkedAccounts(controller)]);
}

/** Owners holding a live grant at `asOf` to any of `grantees`. */
function grantors(identity: IdentityIndex, grantees: Set<string>, asOf: number): Set<string> {
  const sec = Math.floor(asOf / 1000);
  const out = new Set<string>();
  for (const [vehicleId, byGrantee] of identity.vehicleGrants) {
    const v = identity.vehicles.get(vehicleId);
    if (!v) continue;
    for (const g of byGrantee.values()) {
      if (grantees.has(g.grantee) && g.held !== 0 && g.grantedAt <= asOf && g.expiration > sec && g.version === v.version && g.grantor === v.owner) out.add(g.grantor);
    }
  }
  for (const byGrantee of identity.accountGrants.values()) {
    for (const g of byGrantee.values()) if (grantees.has(g.grantee) && g.held !== 0 && g.grantedAt <= asOf && g.expiration > sec) out.add(g.grantor);
  }
  return out;
}

/** Owners with a vehicle connected through an integration owned by one of `owners`, by `asOf`. */
function integrationUsers(identity: IdentityIndex, owners: Set<string>, asOf: number): Set<string> {
  const out = new Set<string>();
  for (const d of identity.syntheticDevices.values()) {
    const c = identity.connections.get(d.connectionId);
    const v = identity.vehicles.get(d.vehicleId);
    if (c && v && d.mintedAt <= asOf && (owners.has(c.owner.toLowerCase()) || (c.address !== undefined && owners.has(c.address.toLowerCase())))) out.add(v.owner);
  }
  for (const d of identity.aftermarketDevices.values()) {
    if (d.vehicleId === undefined || (d.pairedAt ?? Infinity) > asOf) continue;
    const m = identity.manufacturers.get(d.manufacturerId);
    const v = identity.vehicles.get(d.vehicleId);
    if (m && v && owners.has(m.owner.toLowerCase())) out.add(v.owner);
  }
  return out;
}

export interface LicensingMetricsInput {
  range: MonthRange;
  now: number;
  licensing: LicensingIndex;
  identity: IdentityIndex;
  decisions: DecisionRecord[];
}

export function licensingMetrics(i: LicensingMetricsInput) {
  const { range, licensing, identity } = i;
  const final = i.now >= range.to;
  const asOf = final ? range.to - 1 : i.now;
  const licenses = [...licensing.licenses.values()].filter((l) => l.issuedAt <= asOf).sort((a, b) => (a.licenseId < b.licenseId ? -1 : 1));
  const names = new Map(licenses.map((l) => [l.licenseId.toString(), l.metadata.legalName]));
  const usersPerClient = [];
  const optedInUsersPerNode = [];
  const usersPerApp = [];
  for (const l of licenses) {
    const who = { licenseId: l.licenseId.toString(), businessName: l.metadata.legalName, status: l.status };
    if (l.kind === 'client') {
      const ids = identityOf(licensing, l);
      const users = new Set([...integrationUsers(identity, ids, asOf), ...grantors(identity, ids, asOf)]);
      usersPerClient.push({ ...who, users: users.size });
    } else if (l.kind === 'node') {
      optedInUsersPerNode.push({ ...who, users: Number(l.connectedUsers) });
    } else {
      usersPerApp.push({ ...who, users: grantors(identity, identityOf(licensing, l), asOf).size });
    }
  }
  const decisions = i.decisions.map((d) => ({
    at: d.at, decision: d.decision, licenseId: d.licenseId, businessName: d.licenseId ? names.get(d.licenseId) ?? null : null,
    identity: d.identity, challengeId: d.challengeId, status: d.status, previousStatus: d.previousStatus, reason: d.reason, by: d.by,
    amount: d.amount, txHash: d.txHash, block: d.block,
  }));
  return {
    month: range.month,
    from: range.from,
    to: range.to,
    asOf,
    final,
    generatedAt: i.now,
    definitions: DEFINITIONS,
    usersPerClient,
    optedInUsersPerNode,
    usersPerApp,
    licensedParties: licenses.map(party),
    decisions,
    totals: {
      licensedParties: licenses.length,
      activeLicenses: licenses.filter((l) => licensing.isActive(l.licenseId)).length,
      decisions: decisions.length,
    },
  };
}

export type LicensingMetrics = ReturnType<typeof licensingMetrics>;

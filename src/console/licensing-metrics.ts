// Monthly figures for the licensing team, from the licensing mirror and the applications table: what
// was issued, ended, banned, challenged and decided each calendar month (UTC), and where things stand.
import type { LicensingIndex } from '../licensing/licensing-index.ts';
import type { ApplicationView } from './license-applications.ts';

export interface MonthFigures {
  /** YYYY-MM (UTC). */
  month: string;
  issued: Record<string, number>;
  ended: Record<string, number>;
  bans: number;
  challengesOpened: number;
  challengesUpheld: number;
  challengesRejected: number;
  /** DIMO wei slashed by rulings that month. */
  slashed: string;
  applicationsReceived: number;
  applicationsDecided: number;
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

export function licensingMetrics(index: LicensingIndex, applications: ApplicationView[], now: number, months = 12) {
  const keys: string[] = [];
  const d = new Date(now);
  for (let i = months - 1; i >= 0; i--) keys.push(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
  const rows = new Map<string, MonthFigures & { slashedWei: bigint }>(keys.map((m) => [m, {
    month: m, issued: {}, ended: {}, bans: 0, challengesOpened: 0, challengesUpheld: 0, challengesRejected: 0, slashed: '0', slashedWei: 0n, applicationsReceived: 0, applicationsDecided: 0,
  }]));
  const at = (ms: number | undefined | null) => (ms ? rows.get(monthOf(ms)) : undefined);
  const snapshot = { active: {} as Record<string, number>, suspended: 0, understaked: 0, banned: index.bans.size, totalStake: 0n, openChallenges: 0 };
  for (const l of index.licenses.values()) {
    const issued = at(l.issuedAt);
    if (issued) issued.issued[l.kind] = (issued.issued[l.kind] ?? 0) + 1;
    const ended = at(l.endedAtSec ? l.endedAtSec * 1000 : undefined);
    if (ended) ended.ended[l.status] = (ended.ended[l.status] ?? 0) + 1;
    snapshot.totalStake += l.stake;
    if (l.status === 'suspended') snapshot.suspended++;
    if (l.status === 'active') {
      if (index.isActive(l.licenseId)) snapshot.active[l.kind] = (snapshot.active[l.kind] ?? 0) + 1;
      else if (!index.isBanned(l.holder)) snapshot.understaked++;
    }
  }
  for (const b of index.bans.values()) {
    const r = at(b.bannedAt);
    if (r) r.bans++;
  }
  for (const c of index.challenges.values()) {
    const opened = at(c.openedAt);
    if (opened) opened.challengesOpened++;
    if (c.status === 'open') snapshot.openChallenges++;
    const decided = at(c.decidedAt);
    if (decided && c.status === 'upheld') {
      decided.challengesUpheld++;
      decided.slashedWei += c.slashed;
    }
    if (decided && c.status === 'rejected') decided.challengesRejected++;
  }
  for (const a of applications) {
    const received = at(a.createdAt);
    if (received) received.applicationsReceived++;
    const decided = at(a.decidedAt);
    if (decided) decided.applicationsDecided++;
  }
  return {
    months: keys.map((k) => {
      const { slashedWei, ...r } = rows.get(k)!;
      return { ...r, slashed: slashedWei.toString() };
    }),
    now: { ...snapshot, totalStake: snapshot.totalStake.toString() },
  };
}

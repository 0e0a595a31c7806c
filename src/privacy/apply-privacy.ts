// The privacy stage of the data path: runs after normalisation and before anything is stored. Location
// opt-out drops every location signal; a point inside a zone is moved to a coarse cell centre (and
// marked redacted) or dropped, and location scalars taken within the fuse window of such a point
// (altitude, heading…) are dropped with it, since they could help place it.
import { FUSE_WINDOW_MS, type NormalizedSignals } from '../ingest/normalize/normalize.ts';
import { redactPoint, zoneAt, type CompiledZone } from './zones.ts';

export interface PrivacyPolicy {
  locationOptOut: boolean;
  zones: CompiledZone[];
}

export interface PrivacyOutcome {
  /** Location signals withheld by opt-out or a drop zone. */
  withheld: number;
  redacted: number;
}

export function applyPrivacy(policy: PrivacyPolicy | undefined, n: NormalizedSignals): PrivacyOutcome {
  const outcome: PrivacyOutcome = { withheld: 0, redacted: 0 };
  if (!policy) return outcome;
  if (policy.locationOptOut) {
    outcome.withheld = n.points.length + n.locationSamples.length / 3;
    n.points = [];
    n.locationSamples = [];
    return outcome;
  }
  if (policy.zones.length === 0 || n.points.length === 0) return outcome;
  const touched: number[] = [];
  const kept = [];
  for (const p of n.points) {
    const zone = zoneAt(policy.zones, p.lat, p.lng);
    if (!zone) {
      kept.push(p);
      continue;
    }
    touched.push(p.ts);
    if (zone.action === 'drop') {
      outcome.withheld++;
      continue;
    }
    const [lat, lng] = redactPoint(p.lat, p.lng);
    kept.push({ ts: p.ts, lat, lng, redacted: true });
    outcome.redacted++;
  }
  n.points = kept;
  if (touched.length > 0 && n.locationSamples.length > 0) {
    const rest: Array<number | string> = [];
    const s = n.locationSamples;
    for (let i = 0; i < s.length; i += 3) {
      const ts = s[i + 1] as number;
      if (touched.some((t) => Math.abs(t - ts) <= FUSE_WINDOW_MS)) outcome.withheld++;
      else rest.push(s[i]!, ts, s[i + 2]!);
    }
    n.locationSamples = rest;
  }
  return outcome;
}

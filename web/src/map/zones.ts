// Privacy zones as the node stores them (src/privacy/zones.ts): a circle or a polygon, redact or drop.
export type ZoneAction = 'redact' | 'drop';

export type Zone =
  | { kind: 'circle'; lat: number; lng: number; radiusM: number; action: ZoneAction }
  | { kind: 'polygon'; points: Array<[number, number]>; action: ZoneAction };

export interface PrivacySettings {
  locationOptOut: boolean;
  zones: Zone[];
}

export const MIN_RADIUS_M = 50;
export const MAX_RADIUS_M = 50_000;

export function describeZone(z: Zone): string {
  const what = z.action === 'drop' ? 'positions dropped' : 'positions blurred to about 3 km';
  if (z.kind === 'circle') return `Circle of ${z.radiusM >= 1000 ? `${(z.radiusM / 1000).toFixed(1)} km` : `${Math.round(z.radiusM)} m`} around ${z.lat.toFixed(4)}, ${z.lng.toFixed(4)} — ${what}`;
  return `Area with ${z.points.length} corners — ${what}`;
}

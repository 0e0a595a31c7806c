// Small spherical-earth helpers; distances in metres, bearings in degrees clockwise from north.
export type LatLng = readonly [lat: number, lng: number];

const R = 6_371_008.8;
const rad = (deg: number): number => (deg * Math.PI) / 180;

export function distanceM(a: LatLng, b: LatLng): number {
  const dLat = rad(b[0] - a[0]);
  const dLng = rad(b[1] - a[1]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a[0])) * Math.cos(rad(b[0])) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function bearingDeg(a: LatLng, b: LatLng): number {
  const y = Math.sin(rad(b[1] - a[1])) * Math.cos(rad(b[0]));
  const x = Math.cos(rad(a[0])) * Math.sin(rad(b[0])) - Math.sin(rad(a[0])) * Math.cos(rad(b[0])) * Math.cos(rad(b[1] - a[1]));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

/** Linear interpolation; fine over the few hundred metres between two polyline vertices. */
export function lerp(a: LatLng, b: LatLng, f: number): LatLng {
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f];
}

/** A polyline with its cumulative length, for "where am I after s metres". */
export interface Polyline {
  points: readonly LatLng[];
  /** cum[i] = metres from points[0] to points[i]. */
  cum: readonly number[];
  length: number;
}

export function polyline(points: readonly LatLng[]): Polyline {
  const cum = [0];
  for (let i = 1; i < points.length; i++) cum.push(cum[i - 1]! + distanceM(points[i - 1]!, points[i]!));
  return { points, cum, length: cum[cum.length - 1]! };
}

/** Position and heading after `s` metres along the polyline (clamped to its ends). */
export function alongPolyline(line: Polyline, s: number): { at: LatLng; heading: number } {
  const { points, cum } = line;
  const d = Math.max(0, Math.min(line.length, s));
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! <= d) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  const span = cum[hi]! - cum[lo]!;
  return { at: span > 0 ? lerp(a, b, (d - cum[lo]!) / span) : a, heading: bearingDeg(a, b) };
}

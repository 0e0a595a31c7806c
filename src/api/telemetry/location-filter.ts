// Location filters (SignalLocationFilter): inside a polygon (at least 3 vertices, ray casting in
// latitude/longitude, points on an edge count as inside) and within a radius in kilometres of a centre
// (great-circle distance on the WGS 84 mean radius; exactly `radius` away counts as inside).
import { OdmError } from '../../core/errors.ts';

export interface FilterLocation {
  latitude: number;
  longitude: number;
}

export interface LocationFilter {
  inPolygon?: FilterLocation[] | null;
  inCircle?: { center: FilterLocation; radius: number } | null;
}

export type PointTest = (lat: number, lng: number) => boolean;

const EARTH_RADIUS_KM = 6371.0088;
const MAX_VERTICES = 1000;

function checkLocation(p: FilterLocation, what: string): void {
  if (!(p.latitude >= -90 && p.latitude <= 90 && p.longitude >= -180 && p.longitude <= 180)) {
    throw new OdmError('ODM_ERR_VALIDATION', `${what} must have latitude in [-90, 90] and longitude in [-180, 180]`);
  }
}

export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r;
  const dLng = (lng2 - lng1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export function compileLocationFilter(f: LocationFilter | null | undefined): PointTest | undefined {
  if (!f) return undefined;
  const tests: PointTest[] = [];
  if (f.inPolygon != null) {
    const poly = f.inPolygon;
    if (poly.length < 3 || poly.length > MAX_VERTICES) throw new OdmError('ODM_ERR_VALIDATION', `inPolygon needs 3 to ${MAX_VERTICES} vertices`);
    poly.forEach((p, i) => checkLocation(p, `inPolygon[${i}]`));
    tests.push((lat, lng) => inPolygon(poly, lat, lng));
  }
  if (f.inCircle != null) {
    const { center, radius } = f.inCircle;
    checkLocation(center, 'inCircle.center');
    if (!(radius >= 0) || !Number.isFinite(radius)) throw new OdmError('ODM_ERR_VALIDATION', 'inCircle.radius must be a non-negative number of kilometres');
    tests.push((lat, lng) => haversineKm(center.latitude, center.longitude, lat, lng) <= radius + 1e-9);
  }
  if (tests.length === 0) return undefined;
  return tests.length === 1 ? tests[0] : (lat, lng) => tests.every((t) => t(lat, lng));
}

function inPolygon(poly: readonly FilterLocation[], lat: number, lng: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const yi = poly[i]!.latitude, xi = poly[i]!.longitude;
    const yj = poly[j]!.latitude, xj = poly[j]!.longitude;
    if (onSegment(xi, yi, xj, yj, lng, lat)) return true;
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function onSegment(x1: number, y1: number, x2: number, y2: number, x: number, y: number): boolean {
  const cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
  if (Math.abs(cross) > 1e-12) return false;
  return x >= Math.min(x1, x2) - 1e-12 && x <= Math.max(x1, x2) + 1e-12 && y >= Math.min(y1, y2) - 1e-12 && y <= Math.max(y1, y2) + 1e-12;
}

// Owner privacy zones: a circle or a polygon, kept as the set of H3 cells that covers it (cells that
// merely overlap count, so no point of the zone falls outside the set). A location inside a zone is
// replaced by the centre of a coarse H3 cell and marked redacted, or dropped, as the owner chose.
import { cellToLatLng, getHexagonAreaAvg, latLngToCell, polygonToCellsExperimental, POLYGON_TO_CELLS_FLAGS } from 'h3-js';
import { OdmError } from '../core/errors.ts';

export type ZoneAction = 'redact' | 'drop';

export type ZoneSpec =
  | { kind: 'circle'; lat: number; lng: number; radiusM: number; action: ZoneAction }
  | { kind: 'polygon'; points: Array<[number, number]>; action: ZoneAction };

export interface CompiledZone {
  res: number;
  cells: Set<string>;
  action: ZoneAction;
}

/** Redacted locations become the centre of their cell at this resolution (~3 km across). */
export const REDACT_RES = 6;
export const MAX_ZONES = 20;
const MAX_CELLS = 20_000;
const MIN_RADIUS_M = 50;
const MAX_RADIUS_M = 50_000;
const M_PER_DEG = 111_320;

function invalid(message: string): OdmError {
  return new OdmError('ODM_ERR_PRIVACY_ZONE_INVALID', message);
}

function isLat(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= -90 && x <= 90;
}
function isLng(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= -180 && x <= 180;
}

/** Checks one zone from an owner's request; throws ODM_ERR_PRIVACY_ZONE_INVALID with the reason. */
export function validateZone(input: unknown, index: number): ZoneSpec {
  const z = input as Record<string, unknown> | null;
  if (typeof z !== 'object' || z === null) throw invalid(`zone ${index} must be an object`);
  const action = z.action ?? 'redact';
  if (action !== 'redact' && action !== 'drop') throw invalid(`zone ${index}: action must be "redact" or "drop"`);
  if (z.kind === 'circle') {
    if (!isLat(z.lat) || !isLng(z.lng)) throw invalid(`zone ${index}: lat must be -90..90 and lng -180..180`);
    if (typeof z.radiusM !== 'number' || !(z.radiusM >= MIN_RADIUS_M && z.radiusM <= MAX_RADIUS_M)) {
      throw invalid(`zone ${index}: radiusM must be between ${MIN_RADIUS_M} and ${MAX_RADIUS_M} metres`);
    }
    return { kind: 'circle', lat: z.lat, lng: z.lng, radiusM: z.radiusM, action };
  }
  if (z.kind === 'polygon') {
    const pts = z.points;
    if (!Array.isArray(pts) || pts.length < 3 || pts.length > 200) throw invalid(`zone ${index}: a polygon needs 3 to 200 [lat, lng] points`);
    const points = pts.map((p, i) => {
      if (!Array.isArray(p) || p.length !== 2 || !isLat(p[0]) || !isLng(p[1])) throw invalid(`zone ${index}: point ${i} must be [lat, lng]`);
      return [p[0], p[1]] as [number, number];
    });
    return { kind: 'polygon', points, action };
  }
  throw invalid(`zone ${index}: kind must be "circle" or "polygon"`);
}

/** A ring of points just outside the circle (circumscribed), so covering it covers the circle. */
function circleRing(lat: number, lng: number, radiusM: number): Array<[number, number]> {
  const n = 48;
  const r = radiusM / Math.cos(Math.PI / n);
  const cosLat = Math.max(Math.cos((lat * Math.PI) / 180), 1e-6);
  const ring: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    ring.push([lat + (r * Math.sin(a)) / M_PER_DEG, lng + (r * Math.cos(a)) / (M_PER_DEG * cosLat)]);
  }
  return ring;
}

function areaM2(ring: Array<[number, number]>): number {
  const lat0 = ring.reduce((s, p) => s + p[0], 0) / ring.length;
  const k = M_PER_DEG * Math.cos((lat0 * Math.PI) / 180);
  let a = 0;
  for (let i = 0; i < ring.length; i++) {
    const [y1, x1] = ring[i]!;
    const [y2, x2] = ring[(i + 1) % ring.length]!;
    a += x1 * k * (y2 * M_PER_DEG) - x2 * k * (y1 * M_PER_DEG);
  }
  return Math.abs(a) / 2;
}

export function compileZone(zone: ZoneSpec): CompiledZone {
  const ring = zone.kind === 'circle' ? circleRing(zone.lat, zone.lng, zone.radiusM) : zone.points;
  const area = areaM2(ring);
  // The finest resolution whose cover stays small; coarser cells only widen the zone, never shrink it.
  let res = 10;
  while (res > 4 && area / getHexagonAreaAvg(res, 'm2') > MAX_CELLS / 4) res--;
  const cells = polygonToCellsExperimental(ring, res, POLYGON_TO_CELLS_FLAGS.containmentOverlapping);
  if (cells.length === 0) cells.push(latLngToCell(ring[0]![0], ring[0]![1], res));
  return { res, cells: new Set(cells), action: zone.action };
}

/** The zone containing the point, if any (the first one that says drop wins over redact). */
export function zoneAt(zones: readonly CompiledZone[], lat: number, lng: number): CompiledZone | undefined {
  let hit: CompiledZone | undefined;
  for (const z of zones) {
    if (!z.cells.has(latLngToCell(lat, lng, z.res))) continue;
    if (z.action === 'drop') return z;
    hit ??= z;
  }
  return hit;
}

/** The centre of the coarse cell holding the point. */
export function redactPoint(lat: number, lng: number): [number, number] {
  const [clat, clng] = cellToLatLng(latLngToCell(lat, lng, REDACT_RES));
  return [clat, clng];
}

// Routes between places of a city: along the street grid (one turn) and over the highway to the
// suburb. A route is a list of legs; each leg ends in a stop.
import type { Rng } from '../core/rng.ts';
import { type City, gridNode, isArterial } from './cities.ts';
import { type LatLng, polyline, type Polyline } from './geo.ts';

/** `g:<row>:<col>` for a grid node, `suburb` for the end of the highway. */
export type PlaceId = string;

export interface LegSpec {
  line: Polyline;
  vMaxMs: number;
  accel: number;
  /** Seconds standing at the leg's end before the next leg (lights, junctions); 0 on the last leg. */
  dwellS: number;
  road: 'local' | 'arterial' | 'highway';
}

export function gridPlace(row: number, col: number): PlaceId {
  return `g:${row}:${col}`;
}

export function parsePlace(place: PlaceId): { kind: 'suburb' } | { kind: 'grid'; row: number; col: number } {
  if (place === 'suburb') return { kind: 'suburb' };
  const [, r, c] = place.split(':');
  return { kind: 'grid', row: Number(r), col: Number(c) };
}

export function placeCoords(city: City, place: PlaceId): LatLng {
  const p = parsePlace(place);
  return p.kind === 'suburb' ? city.highway[city.highway.length - 1]! : gridNode(city, p.row, p.col);
}

const kph = (v: number): number => v / 3.6;

// Polylines are shared between legs (a 9×9 grid has a few thousand distinct runs), which keeps
// 10,000 vehicles' timelines small.
const lines = new Map<string, Polyline>();
function sharedLine(key: string, make: () => LatLng[]): Polyline {
  let line = lines.get(key);
  if (!line) {
    line = polyline(make());
    lines.set(key, line);
  }
  return line;
}

/** Straight run along one grid line, split into legs of at most `maxBlocks` blocks. */
function gridRun(city: City, fixed: number, from: number, to: number, alongRow: boolean, rng: Rng): LegSpec[] {
  if (from === to) return [];
  const arterial = isArterial(fixed);
  const maxBlocks = arterial ? 3 : 2;
  const step = to > from ? 1 : -1;
  const legs: LegSpec[] = [];
  let i = from;
  while (i !== to) {
    const blocks = Math.min(Math.abs(to - i), rng.int(1, maxBlocks));
    const from = i;
    const line = sharedLine(`${city.id}|${alongRow ? 'r' : 'c'}|${fixed}|${from}|${from + blocks * step}`, () => {
      const pts: LatLng[] = [];
      for (let k = 0; k <= blocks; k++) {
        const j = from + k * step;
        pts.push(alongRow ? gridNode(city, fixed, j) : gridNode(city, j, fixed));
      }
      return pts;
    });
    i += blocks * step;
    legs.push({
      line,
      vMaxMs: kph(arterial ? city.speedsKph.arterial : city.speedsKph.local),
      accel: 1.8,
      dwellS: rng.chance(0.6) ? rng.int(5, 35) : 0,
      road: arterial ? 'arterial' : 'local',
    });
  }
  return legs;
}

function gridRoute(city: City, a: { row: number; col: number }, b: { row: number; col: number }, rng: Rng): LegSpec[] {
  // One turn: along a row then a column, or the other way round.
  if (rng.chance(0.5)) {
    return [...gridRun(city, a.row, a.col, b.col, true, rng), ...gridRun(city, b.col, a.row, b.row, false, rng)];
  }
  return [...gridRun(city, a.col, a.row, b.row, false, rng), ...gridRun(city, b.row, a.col, b.col, true, rng)];
}

function highwayLeg(city: City, outbound: boolean): LegSpec {
  const line = sharedLine(`${city.id}|highway|${outbound}`, () => {
    const pts = [gridNode(city, city.highwayJoin[0], city.highwayJoin[1]), ...city.highway];
    return outbound ? pts : pts.reverse();
  });
  return {
    line,
    vMaxMs: kph(city.speedsKph.highway),
    accel: 1.4,
    dwellS: 0,
    road: 'highway',
  };
}

/** Legs from one place to another; empty when they are the same place. */
export function route(city: City, from: PlaceId, to: PlaceId, rng: Rng): LegSpec[] {
  if (from === to) return [];
  const a = parsePlace(from);
  const b = parsePlace(to);
  const join = { row: city.highwayJoin[0], col: city.highwayJoin[1] };
  let legs: LegSpec[];
  if (a.kind === 'grid' && b.kind === 'grid') legs = gridRoute(city, a, b, rng);
  else if (a.kind === 'grid') legs = [...gridRoute(city, a, join, rng), highwayLeg(city, true)];
  else if (b.kind === 'grid') legs = [highwayLeg(city, false), ...gridRoute(city, join, b as { row: number; col: number }, rng)];
  else legs = [];
  if (legs.length > 0) legs[legs.length - 1] = { ...legs[legs.length - 1]!, dwellS: 0 };
  return legs;
}

/** The DC charger / fuel station closest (by straight line) to a place; never `avoid` (home). */
export function nearestCharger(city: City, from: PlaceId, avoid?: PlaceId): PlaceId {
  const origin = placeCoords(city, from);
  const candidates: PlaceId[] = [...city.chargers.map(([r, c]) => gridPlace(r, c)), 'suburb'].filter((p) => p !== avoid);
  let best = candidates[0]!;
  let bestD = Infinity;
  for (const c of candidates) {
    const p = placeCoords(city, c);
    const d = (p[0] - origin[0]) ** 2 + (p[1] - origin[1]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

// The roads vehicles drive on, offline: around each real city a 9×9 grid of streets 800 m apart
// (every fourth line an arterial) plus one hand-drawn highway to a suburb. Coordinates follow the real
// places closely enough for maps and privacy zones to look right; street names are not modelled.
import type { LatLng } from './geo.ts';

export type Region = 'na' | 'eu';

export interface City {
  id: string;
  name: string;
  region: Region;
  /** Fixed offset from UTC in minutes (daylight saving is not modelled). */
  utcOffsetMin: number;
  center: LatLng;
  /** Grid nodes per side (rows and columns are 0…size-1; row grows north, column grows east). */
  size: number;
  blockM: number;
  speedsKph: { local: number; arterial: number; highway: number };
  /** Grid node where the highway leaves the city, then the highway's vertices to the suburb. */
  highwayJoin: readonly [row: number, col: number];
  highway: readonly LatLng[];
  suburbName: string;
  /** DC fast chargers / fuel stations: grid nodes, plus the suburb. */
  chargers: readonly (readonly [number, number])[];
  /** Mean daily temperature in January and July (°C), for the climate model. */
  climate: { jan: number; jul: number; dailySwing: number };
  /** Nominal AC voltage at home chargers. */
  acVolts: number;
}

export const CITIES: readonly City[] = [
  {
    id: 'austin',
    name: 'Austin, TX',
    region: 'na',
    utcOffsetMin: -360,
    center: [30.2672, -97.7431],
    size: 9,
    blockM: 800,
    speedsKph: { local: 48, arterial: 64, highway: 105 },
    highwayJoin: [8, 6],
    // I-35 north from east downtown to Round Rock.
    highway: [
      [30.318, -97.714], [30.345, -97.702], [30.372, -97.696], [30.405, -97.693],
      [30.438, -97.682], [30.472, -97.676], [30.5083, -97.6789],
    ],
    suburbName: 'Round Rock',
    chargers: [[2, 2], [6, 7]],
    climate: { jan: 11, jul: 29, dailySwing: 6 },
    acVolts: 240,
  },
  {
    id: 'berlin',
    name: 'Berlin',
    region: 'eu',
    utcOffsetMin: 60,
    center: [52.52, 13.405],
    size: 9,
    blockM: 800,
    speedsKph: { local: 30, arterial: 50, highway: 110 },
    highwayJoin: [0, 0],
    // A100 / A115 (AVUS) south-west to Potsdam.
    highway: [
      [52.485, 13.32], [52.479, 13.283], [52.456, 13.252], [52.43, 13.21],
      [52.412, 13.16], [52.4, 13.11], [52.3906, 13.0645],
    ],
    suburbName: 'Potsdam',
    chargers: [[4, 1], [7, 6]],
    climate: { jan: 0.5, jul: 19.5, dailySwing: 4 },
    acVolts: 230,
  },
];

export function cityForRegion(region: Region): City {
  return CITIES.find((c) => c.region === region)!;
}

export function cityById(id: string): City {
  const city = CITIES.find((c) => c.id === id);
  if (!city) throw new RangeError(`unknown city ${id}`);
  return city;
}

/** Coordinates of grid node (row, col). */
export function gridNode(city: City, row: number, col: number): LatLng {
  const half = (city.size - 1) / 2;
  const latStep = city.blockM / 111_320;
  const lngStep = city.blockM / (111_320 * Math.cos((city.center[0] * Math.PI) / 180));
  return [city.center[0] + (row - half) * latStep, city.center[1] + (col - half) * lngStep];
}

export function isArterial(index: number): boolean {
  return index % 4 === 0;
}

/** Local clock offset in ms. */
export function utcOffsetMs(city: City): number {
  return city.utcOffsetMin * 60_000;
}

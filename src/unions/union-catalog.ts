// The data unions owners can put a vehicle in, as data: what each union is for, which signals it reads
// and which aggregate datasets it feeds. A vehicle in a union contributes to those datasets' releases
// (only ever inside groups of at least k vehicles and k owners) without a per-app grant; leaving takes
// effect for every release made afterwards. Each union joined adds a weekly rewards bonus.

export interface DatasetDescription {
  id: string;
  title: string;
  /** What one released group is keyed by. */
  groupedBy: string[];
  /** What each released group reports. */
  measures: string[];
  /** The period one release covers, and how its times are bucketed. */
  period: string;
  /** How locations are coarsened, when the dataset uses them. */
  location?: string;
}

export interface DataUnion {
  id: string;
  name: string;
  description: string;
  /** Catalogue signals the union's datasets read. */
  signals: string[];
  /** Whether its datasets use location (vehicles that opted out of location sharing are left out of those). */
  usesLocation: boolean;
  datasets: DatasetDescription[];
}

export const UNIONS: readonly DataUnion[] = [
  {
    id: 'battery-health',
    name: 'Battery health',
    description: 'How traction batteries age across makes, models and model years, so buyers and researchers can compare them.',
    signals: ['powertrainTractionBatteryStateOfHealth'],
    usesLocation: false,
    datasets: [{
      id: 'soh-by-model-year',
      title: 'State-of-health distribution by model and year',
      groupedBy: ['make', 'model', 'year', 'state-of-health band (5 percentage points)'],
      measures: ['vehicles'],
      period: 'a calendar month (UTC); each vehicle counts once, with its last reading of the month',
    }],
  },
  {
    id: 'charging',
    name: 'Charging',
    description: 'Where and when electric vehicles start charging, for planning charging infrastructure and the grid.',
    signals: ['powertrainTractionBatteryChargingIsCharging', 'currentLocationCoordinates'],
    usesLocation: true,
    datasets: [{
      id: 'charging-sessions-by-cell-hour',
      title: 'Charging sessions per H3 cell and hour of day',
      groupedBy: ['H3 cell (resolution 5 by default, never finer than 6)', 'hour of day (UTC)'],
      measures: ['sessions', 'vehicles'],
      period: 'a calendar month (UTC); at most 62 sessions per vehicle count',
      location: 'the session start, coarsened to the H3 cell; points inside privacy zones are left out',
    }],
  },
  {
    id: 'driving-patterns',
    name: 'Driving patterns',
    description: 'How many trips start in each region each day, for traffic and mobility research.',
    signals: ['isIgnitionOn', 'currentLocationCoordinates'],
    usesLocation: true,
    datasets: [{
      id: 'trips-by-region-day',
      title: 'Trips per region and day',
      groupedBy: ['H3 cell (resolution 5 by default, never finer than 6)', 'day (UTC)'],
      measures: ['trips', 'vehicles'],
      period: 'calendar days (UTC), at most 31 per release; at most 10 trips per vehicle and day count',
      location: 'the trip start, coarsened to the H3 cell; points inside privacy zones are left out',
    }],
  },
];

export const UNION_IDS: readonly string[] = UNIONS.map((u) => u.id);

export function unionById(id: string): DataUnion | undefined {
  return UNIONS.find((u) => u.id === id);
}

export function unionOfDataset(datasetId: string): DataUnion | undefined {
  return UNIONS.find((u) => u.datasets.some((d) => d.id === datasetId));
}

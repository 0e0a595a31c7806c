// DIMO's privileges as owners read them at opt-in (ids and 2-bit mask encoding as in src/consent/privileges.ts).
export interface PrivilegeInfo {
  id: number;
  name: string;
  title: string;
  description: string;
  location: boolean;
}

export const PRIVILEGES: PrivilegeInfo[] = [
  { id: 1, name: 'NONLOCATION_TELEMETRY', title: 'Vehicle data without location', description: 'Speed, battery or fuel, odometer, tires, temperatures… everything except where the car is.', location: false },
  { id: 2, name: 'COMMANDS', title: 'Commands', description: 'Lock and unlock the car.', location: false },
  { id: 3, name: 'CURRENT_LOCATION', title: 'Current location', description: 'Where the car is now, exactly.', location: true },
  { id: 4, name: 'ALLTIME_LOCATION', title: 'Location history', description: 'Every position ever stored: your trips.', location: true },
  { id: 5, name: 'VIN_CREDENTIAL', title: 'VIN and documents', description: "The vehicle identification number and your glovebox documents (insurance, registration).", location: false },
  { id: 6, name: 'LIVE_DATA', title: 'Live stream', description: 'Data the moment it arrives, as a stream.', location: false },
  { id: 7, name: 'RAW_DATA', title: 'Raw data', description: 'The events exactly as your car or its connection sent them.', location: false },
  { id: 8, name: 'APPROXIMATE_LOCATION', title: 'Approximate location', description: 'Roughly where the car is (within about 3 km).', location: true },
];

export function privilege(id: number): PrivilegeInfo {
  return PRIVILEGES.find((p) => p.id === id) ?? { id, name: `PRIVILEGE_${id}`, title: `Privilege ${id}`, description: 'Unknown to this dashboard.', location: false };
}

/** Privilege N sets bits 2N and 2N+1. */
export function privilegesToMask(ids: Iterable<number>): bigint {
  let mask = 0n;
  for (const id of ids) mask |= 3n << BigInt(2 * id);
  return mask;
}

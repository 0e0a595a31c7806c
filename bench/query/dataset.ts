// The query bench's data set: one vehicle, 30 days of an event every 10 s with 20 signals (18 scalars and
// a latitude/longitude pair, stored as a location point), written through the vault's write path.
import type { AppNode, StoredEvent } from '../../test/apps/support/app-node.ts';

export const DAYS = 30;
export const PERIOD_MS = 10_000;
export const SIGNALS = [
  'speed', 'powertrainTransmissionTravelledDistance', 'powertrainTractionBatteryStateOfChargeCurrent', 'exteriorAirTemperature',
  'lowVoltageBatteryCurrentVoltage', 'powertrainCombustionEngineSpeed', 'powertrainCombustionEngineECT', 'obdEngineLoad',
  'obdIntakeTemp', 'obdBarometricPressure', 'powertrainFuelSystemRelativeLevel', 'powertrainRange',
  'chassisAxleRow1WheelLeftTirePressure', 'chassisAxleRow1WheelRightTirePressure', 'chassisAxleRow2WheelLeftTirePressure',
  'chassisAxleRow2WheelRightTirePressure', 'isIgnitionOn', 'dimoAftermarketNSAT',
] as const;

export async function load(n: AppNode, vehicleId: bigint, from: number, to: number): Promise<number> {
  let count = 0;
  const batch: StoredEvent[] = [];
  for (let t = from, k = 0; t < to; t += PERIOD_MS, k++) {
    const samples = SIGNALS.map((name, i): [string, number, number] => [name, t, name === 'isIgnitionOn' ? k % 2 : name === 'dimoAftermarketNSAT' ? 7 + (k % 5) : ((k * 7 + i * 13) % 900) / 10 + 1]);
    batch.push({ time: t, samples, points: [[t, 52.52 + (k % 100) / 10_000, 13.405 + (k % 77) / 10_000]] });
    if (batch.length === 8640) {
      await n.store(vehicleId, batch.splice(0));
      count += 8640;
    }
  }
  if (batch.length > 0) count += batch.length;
  if (batch.length > 0) await n.store(vehicleId, batch);
  return count;
}

// Conversion of OEM answers to the catalogue's units, to the digit: the helpers on hand-computed values,
// then whole records over real HTTP against the emulator, recomputed from the simulator's truth through
// the OEM's own rounding.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kmToMiles, kpaToBar, kpaToPsi, kphToMph, litresToGallons, round as emuRound } from '../../emulator/core/units.ts';
import { findDrivingMoment, smartcarConnect, startTestEmulator, teslaLogin, type TestEmulator } from '../../emulator/testing.ts';
import type { VehicleProfile } from '../../emulator/fleet/fleet.ts';
import { distanceKm, fractionToPercent, pressureKpa, volumeLitres } from './smartcar/smartcar-convert.ts';
import { barToKpa, milesToKm, mphToKph } from './tesla/tesla-convert.ts';
import { startConnectorHarness, type ConnectorHarness } from './testing.ts';

const KM = 1.609344;
const PSI = 6.894757293168361;
const GAL = 3.785411784;

test('unit helpers convert to the digit', () => {
  assert.equal(milesToKm(100, 3), 160.934);
  assert.equal(milesToKm(20142.123456, 3), 32415.606);
  assert.equal(milesToKm(245.67, 2), 395.37);
  assert.equal(mphToKph(65), 104.61);
  assert.equal(mphToKph(1), 1.61);
  assert.equal(mphToKph(0), 0);
  assert.equal(barToKpa(2.875), 287.5);
  assert.equal(barToKpa(2.9), 290);
  assert.equal(pressureKpa(35, 'imperial'), 241.32);
  assert.equal(pressureKpa(241.32, 'metric'), 241.32);
  assert.equal(distanceKm(12345.67, 'imperial'), 19868.43);
  assert.equal(distanceKm(12345.67, 'metric'), 12345.67);
  assert.equal(volumeLitres(10, 'imperial'), 37.854);
  assert.equal(fractionToPercent(0.8123), 81.23);
  assert.equal(fractionToPercent(0.07), 7);
});

interface Sent {
  subject: string;
  time: string;
  data: { signals: Array<{ name: string; timestamp: string; value: unknown }> };
}

function values(doc: Sent): Map<string, unknown> {
  return new Map(doc.data.signals.map((s) => [s.name, s.value]));
}

let emu: TestEmulator;
before(async () => {
  emu = await startTestEmulator({ seed: 'connectors-conversion', fleet: { tesla: 12, smartcar: 16 } });
});
after(async () => {
  await emu.stop();
});

async function harness(unitSystem: 'metric' | 'imperial' = 'metric'): Promise<ConnectorHarness> {
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base, unitSystem });
  h.capture = true;
  return h;
}

function docFor(h: ConnectorHarness, oemVehicleId: string, rows: Array<{ oem_vehicle_id: string; vehicle_token_id: string | null }>): Sent {
  const token = rows.find((r) => r.oem_vehicle_id === oemVehicleId)!.vehicle_token_id!;
  const doc = h.sent.map((d) => JSON.parse(d) as Sent).find((d) => d.subject.endsWith(`:${token}`));
  assert.ok(doc, `a record was sent for ${oemVehicleId}`);
  return doc;
}

test('Tesla vehicle_data of a driving car: miles, mph and bar become km, km/h and kPa, stamped with the section times', async () => {
  const { vehicle, at } = findDrivingMoment(emu, 'tesla');
  emu.base.set(at);
  const h = await harness();
  try {
    const { vehicles } = await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.runtime.runDue();
    const doc = docFor(h, vehicle.oemId, vehicles);
    const v = values(doc);
    const t = emu.base.now();
    const snap = emu.state.snapshot(vehicle, t);
    // Recompute through Tesla's own rounding (odometer 6 decimals of a mile, speed whole mph, bar 3 decimals).
    const odometer = emuRound(emuRound(kmToMiles(snap.odometerKm), 6) * KM, 3);
    assert.equal(v.get('powertrainTransmissionTravelledDistance'), odometer);
    assert.ok(Math.abs(odometer - snap.odometerKm) < 0.001, 'odometer within a metre of the truth');
    const mph = Math.round(kphToMph(snap.speedKph));
    assert.equal(v.get('speed'), emuRound(mph * KM, 2));
    assert.ok(Math.abs((v.get('speed') as number) - snap.speedKph) <= 0.81, 'speed within half a mph of the truth');
    assert.ok((v.get('speed') as number) > 20);
    const tires = ['chassisAxleRow1WheelLeftTirePressure', 'chassisAxleRow1WheelRightTirePressure', 'chassisAxleRow2WheelLeftTirePressure', 'chassisAxleRow2WheelRightTirePressure'];
    tires.forEach((name, i) => {
      const kpa = snap.tiresKpa[i]!;
      assert.equal(v.get(name), emuRound(emuRound(kpaToBar(kpa), 3) * 100, 1), name);
      assert.ok(Math.abs((v.get(name) as number) - kpa) <= 0.05, `${name} within 0.05 kPa`);
    });
    assert.equal(v.get('powertrainRange'), emuRound(emuRound(kmToMiles(snap.rangeKm), 2) * KM, 2));
    assert.equal(v.get('powertrainTractionBatteryStateOfChargeCurrent'), Math.floor(snap.energyPct));
    assert.equal(v.get('powertrainTractionBatteryCurrentPower'), Math.round(snap.powerKw) * 1000);
    assert.deepEqual(v.get('currentLocationCoordinates'), { latitude: emuRound(snap.latitude, 6), longitude: emuRound(snap.longitude, 6) });
    assert.equal(v.get('exteriorAirTemperature'), emuRound(snap.outsideTempC, 1));
    // The data's own time (the sections' ms timestamps), not the fetch time of some later moment.
    assert.equal(doc.time, new Date(t).toISOString());
    assert.ok(doc.data.signals.every((s) => s.timestamp === new Date(t).toISOString()));
    // Stored by the real pipeline, every signal accepted.
    assert.equal(h.runtime.stats.events.emitted, 1);
    assert.equal(h.runtime.stats.events.rejected, 0);
  } finally {
    await h.close();
  }
});

test('Smartcar answers in metric and in imperial become the same catalogue units, stamped with SC-Data-Age', async () => {
  const pick = (v: VehicleProfile) => v.oem === 'smartcar' && v.spec.powertrain === 'ice' && !v.spec.lacks?.includes('tires');
  const vehicle = emu.state.fleet.vehicles.find(pick);
  assert.ok(vehicle, 'an ICE Smartcar vehicle with tire pressures');
  const metric = await harness('metric');
  const imperial = await harness('imperial');
  try {
    const m = await metric.connectAccount('smartcar', await smartcarConnect(emu, vehicle.accountId));
    const i = await imperial.connectAccount('smartcar', await smartcarConnect(emu, vehicle.accountId));
    await metric.runtime.runDue();
    await imperial.runtime.runDue();
    const dm = docFor(metric, vehicle.oemId, m.vehicles);
    const di = docFor(imperial, vehicle.oemId, i.vehicles);
    const ts = Date.parse(dm.time);
    assert.equal(di.time, dm.time);
    const snap = emu.state.snapshot(vehicle, ts);
    const live = emu.state.snapshot(vehicle, emu.base.now());
    assert.equal(ts, live.idleSince === null ? emu.base.now() : Math.min(emu.base.now(), live.idleSince), 'the record carries SC-Data-Age');
    const vm = values(dm);
    const vi = values(di);

    assert.equal(vm.get('powertrainTransmissionTravelledDistance'), emuRound(snap.odometerKm, 2));
    assert.equal(vi.get('powertrainTransmissionTravelledDistance'), emuRound(emuRound(kmToMiles(snap.odometerKm), 2) * KM, 3));
    assert.ok(Math.abs((vi.get('powertrainTransmissionTravelledDistance') as number) - snap.odometerKm) <= 0.005 * KM + 1e-9);

    assert.equal(vm.get('powertrainRange'), emuRound(snap.rangeKm, 1));
    assert.equal(vi.get('powertrainRange'), emuRound(emuRound(kmToMiles(snap.rangeKm), 1) * KM, 3));
    assert.equal(vm.get('powertrainFuelSystemRelativeLevel'), emuRound(emuRound(snap.energyPct / 100, 4) * 100, 2));
    assert.equal(vm.get('powertrainFuelSystemAbsoluteLevel'), emuRound(snap.energy, 2));
    assert.equal(vi.get('powertrainFuelSystemAbsoluteLevel'), emuRound(emuRound(litresToGallons(snap.energy), 2) * GAL, 3));

    const tires = ['chassisAxleRow1WheelLeftTirePressure', 'chassisAxleRow1WheelRightTirePressure', 'chassisAxleRow2WheelLeftTirePressure', 'chassisAxleRow2WheelRightTirePressure'];
    tires.forEach((name, k) => {
      const kpa = snap.tiresKpa[k]!;
      assert.equal(vm.get(name), emuRound(kpa, 2), name);
      assert.equal(vi.get(name), emuRound(emuRound(kpaToPsi(kpa), 2) * PSI, 2), name);
      assert.ok(Math.abs((vi.get(name) as number) - kpa) <= 0.005 * PSI + 1e-9);
    });
    assert.deepEqual(vm.get('currentLocationCoordinates'), { latitude: emuRound(snap.latitude, 6), longitude: emuRound(snap.longitude, 6) });
    assert.ok(dm.data.signals.every((s) => Date.parse(s.timestamp) === ts));
  } finally {
    await metric.close();
    await imperial.close();
  }
});

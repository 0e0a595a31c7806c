import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSignals, type NormalizedSignals } from './normalize.ts';
import { LOCATION, loadDefaultCatalog } from './signal-catalog.ts';

const catalog = loadDefaultCatalog();
const NOW = Date.UTC(2026, 4, 1, 12);
const T = '2026-05-01T11:59:00Z';
const TS = Date.parse(T);
const rules = { now: NOW, maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000, eventTime: NOW - 1000 };
const id = (name: string) => catalog.byName.get(name)!.id;

function norm(signals: unknown): NormalizedSignals {
  const out = normalizeSignals(catalog, signals, rules);
  assert.ok(!('error' in out), JSON.stringify(out));
  return out as NormalizedSignals;
}

test('the catalogue is data: at least the 116 DIMO default signals, typed, with units, ranges and privilege classes', () => {
  assert.ok(catalog.signals.length >= 116, `${catalog.signals.length} signals`);
  for (const name of ['speed', 'powertrainTransmissionTravelledDistance', 'currentLocationCoordinates', 'powertrainTractionBatteryStateOfChargeCurrent', 'obdDTCList', 'isIgnitionOn']) {
    assert.ok(catalog.byName.has(name), name);
  }
  assert.equal(catalog.byName.get('currentLocationLatitude')!.privilege, LOCATION);
  assert.equal(catalog.byName.get('speed')!.unit, 'km/h');
  assert.equal(catalog.byName.get('powertrainTractionBatteryStateOfChargeCurrent')!.max, 100);
});

test('coerces numeric strings and booleans, keeps strings, rejects each bad signal with its own code', () => {
  const out = norm([
    { name: 'speed', timestamp: T, value: '42.5' },
    { name: 'isIgnitionOn', timestamp: T, value: true },
    { name: 'bodyLockIsLocked', timestamp: T, value: 'false' },
    { name: 'powertrainType', timestamp: T, value: 'ELECTRIC' },
    { name: 'powertrainTractionBatteryStateOfChargeCurrent', timestamp: T, value: 101 },
    { name: 'notASignal', timestamp: T, value: 1 },
    { name: 'speed', timestamp: 'yesterday', value: 1 },
    { name: 'obdDTCList', timestamp: T, value: 7 },
    { name: 'dimoAftermarketNSAT', timestamp: T, value: 3.5 },
    { name: 'speed', timestamp: '2026-05-01T12:10:00Z', value: 1 },
    'junk',
  ]);
  assert.deepEqual(out.samples, [id('speed'), TS, 42.5, id('isIgnitionOn'), TS, 1, id('bodyLockIsLocked'), TS, 0, id('powertrainType'), TS, 'ELECTRIC']);
  assert.deepEqual(out.rejected.map((r) => [r.index, r.code]), [
    [4, 'ODM_ERR_SIGNAL_OUT_OF_RANGE'],
    [5, 'ODM_ERR_SIGNAL_UNKNOWN'],
    [6, 'ODM_ERR_SIGNAL_TIMESTAMP_INVALID'],
    [7, 'ODM_ERR_SIGNAL_TYPE'],
    [8, 'ODM_ERR_SIGNAL_TYPE'],
    [9, 'ODM_ERR_TIME_IN_FUTURE'],
    [10, 'ODM_ERR_SIGNAL_INVALID'],
  ]);
  assert.match(out.rejected[0]!.message, /within \[0, 100\] percent/);
});

test('collapses repeated (name, timestamp) to the last value; signals without a timestamp take the event time', () => {
  const out = norm([{ name: 'speed', timestamp: T, value: 1 }, { name: 'speed', timestamp: T, value: 2 }, { name: 'speed', value: 3 }]);
  assert.deepEqual(out.samples, [id('speed'), TS, 2, id('speed'), rules.eventTime, 3]);
  assert.equal(out.collapsed, 1);
});

test('collapses a repeat that comes after other timestamps of the same name, and forgets it on the next event', () => {
  const later = new Date(TS + 1000).toISOString();
  const signals = [
    { name: 'speed', timestamp: T, value: 1 },
    { name: 'powertrainCombustionEngineSpeed', timestamp: T, value: 800 },
    { name: 'speed', timestamp: later, value: 2 },
    { name: 'speed', timestamp: T, value: 3 },
  ];
  for (let round = 0; round < 2; round++) {
    const out = norm(signals);
    assert.deepEqual(out.samples, [id('speed'), TS, 3, id('powertrainCombustionEngineSpeed'), TS, 800, id('speed'), TS + 1000, 2]);
    assert.equal(out.collapsed, 1);
  }
  assert.equal(norm([{ name: 'speed', timestamp: T, value: 4 }]).collapsed, 0);
});

test('fuses latitude and longitude within 500 ms, drops (0, 0), reports lone halves, keeps location scalars apart', () => {
  const at = (ms: number) => new Date(TS + ms).toISOString();
  const out = norm([
    { name: 'currentLocationLatitude', timestamp: at(0), value: 52.5 },
    { name: 'currentLocationLongitude', timestamp: at(400), value: 13.4 },
    { name: 'currentLocationLatitude', timestamp: at(5000), value: 0 },
    { name: 'currentLocationLongitude', timestamp: at(5000), value: 0 },
    { name: 'currentLocationLatitude', timestamp: at(9000), value: 48.1 },
    { name: 'currentLocationCoordinates', timestamp: at(10000), value: { latitude: 40.7, longitude: -74 } },
    { name: 'currentLocationCoordinates', timestamp: at(11000), value: { latitude: 0, longitude: 0 } },
    { name: 'currentLocationAltitude', timestamp: at(0), value: 34 },
    { name: 'speed', timestamp: at(0), value: 10 },
  ]);
  assert.deepEqual(out.points, [{ ts: TS + 10000, lat: 40.7, lng: -74 }, { ts: TS + 400, lat: 52.5, lng: 13.4 }]);
  assert.deepEqual(out.locationSamples, [id('currentLocationAltitude'), TS, 34]);
  assert.deepEqual(out.samples, [id('speed'), TS, 10]);
  assert.deepEqual(out.rejected.map((r) => [r.index, r.code]), [
    [2, 'ODM_ERR_LOCATION_NULL_ISLAND'],
    [3, 'ODM_ERR_LOCATION_NULL_ISLAND'],
    [4, 'ODM_ERR_LOCATION_UNPAIRED'],
    [6, 'ODM_ERR_LOCATION_NULL_ISLAND'],
  ]);
});

test('a signals value that is not an array rejects the event', () => {
  assert.deepEqual(normalizeSignals(catalog, { speed: 1 }, rules), { error: 'ODM_ERR_DATA_INVALID', message: 'data.signals must be an array' });
});

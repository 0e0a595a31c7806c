import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fleet } from '../fleet/fleet.ts';
import { isValidVin, makeVin, modelYearCode, vinCheckDigit } from './vin.ts';
import { createRng } from './rng.ts';
import { KM_PER_MILE, round } from './units.ts';

test('VIN check digits follow ISO 3779 / 49 CFR 565', () => {
  assert.equal(vinCheckDigit('1M8GDM9AXKP042788'), 'X');
  assert.ok(isValidVin('1M8GDM9AXKP042788'));
  assert.ok(isValidVin('11111111111111111'));
  assert.ok(!isValidVin('1M8GDM9A1KP042788'));
  assert.ok(!isValidVin('1M8GDM9AXKP04278O'), 'no O, I or Q');
  assert.equal(modelYearCode(2024), 'R');
  assert.equal(modelYearCode(2010), 'A');
  const vin = makeVin('5YJ3E1EB', 2023, 'F', 42);
  assert.ok(isValidVin(vin));
  assert.equal(vin.slice(9), 'PF000042');
});

test('every emulated vehicle has a valid, unique VIN', () => {
  const fleet = new Fleet('vins', { tesla: 2000, smartcar: 2000 });
  const vins = fleet.vehicles.map((v) => v.vin);
  for (const vin of vins) assert.ok(isValidVin(vin), vin);
  assert.equal(new Set(vins).size, vins.length);
  assert.equal(new Set(fleet.vehicles.map((v) => v.oemId)).size, vins.length);
});

test('streams are deterministic and independent; rounding is decimal', () => {
  const a = createRng('s', 1);
  const b = createRng('s', 1);
  assert.deepEqual([a.next(), a.next(), a.int(1, 6)], [b.next(), b.next(), b.int(1, 6)]);
  assert.notEqual(createRng('s', 2).next(), createRng('s', 1).next());
  assert.equal(round(1.005, 2), 1.01);
  assert.equal(round(-2.5, 0), -3);
  assert.equal(round(100 / KM_PER_MILE, 2), 62.14);
});

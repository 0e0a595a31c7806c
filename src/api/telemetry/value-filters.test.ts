import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OdmError } from '../../core/errors.ts';
import { parseInterval } from './interval.ts';
import { compileLocationFilter, haversineKm } from './location-filter.ts';
import { compileFloatFilter, matchString, matchStringArray, rangeVerdict } from './value-filters.ts';

test('float filters: conditions AND together, `or` adds alternatives', () => {
  const pass = (f: Parameters<typeof compileFloatFilter>[0], xs: number[]) => xs.filter(compileFloatFilter(f) ?? (() => true));
  const xs = [10, 20, 30, 40];
  assert.deepEqual(pass({ gt: 15, lt: 35 }, xs), [20, 30]);
  assert.deepEqual(pass({ in: [10, 40], neq: 40 }, xs), [10]);
  assert.deepEqual(pass({ or: [{ lt: 15 }, { gte: 40 }] }, xs), [10, 40]);
  assert.deepEqual(pass({ eq: 20, or: [{ eq: 30 }] }, xs), [20, 30]);
  assert.deepEqual(pass({}, xs), xs);
});

test('a range verdict lets whole chunks skip their samples only when it is certain', () => {
  assert.equal(rangeVerdict({ gt: 5 }, 10, 40), 'all');
  assert.equal(rangeVerdict({ gt: 40 }, 10, 40), 'none');
  assert.equal(rangeVerdict({ gt: 20 }, 10, 40), 'some');
  assert.equal(rangeVerdict({ gte: 10, lte: 40 }, 10, 40), 'all');
  assert.equal(rangeVerdict({ gte: 10, lte: 5 }, 10, 40), 'none');
  assert.equal(rangeVerdict({ neq: 50 }, 10, 40), 'all');
  assert.equal(rangeVerdict({ in: [10] }, 10, 40), 'some');
  assert.equal(rangeVerdict({ or: [{ gt: 1 }] }, 10, 40), 'some');
});

test('string and string-array filters', () => {
  assert.equal(matchString({ startsWith: 'Harsh', neq: 'HarshBraking' }, 'HarshCornering'), true);
  assert.equal(matchString({ in: ['a'], or: [{ eq: 'b' }] }, 'b'), true);
  assert.equal(matchStringArray({ containsAll: ['x', 'y'] }, ['y', 'x', 'z']), true);
  assert.equal(matchStringArray({ notContainsAll: ['x', 'y'] }, ['x']), true);
  assert.equal(matchStringArray({ containsAny: ['q'], or: [{ containsAny: ['x'] }] }, ['x']), true);
});

test('location filters: circle radius in km inclusive, polygon with edges inside', () => {
  assert.ok(Math.abs(haversineKm(0, 0, 0, 1) - 111.195) < 0.01);
  const circle = compileLocationFilter({ inCircle: { center: { latitude: 0, longitude: 0 }, radius: haversineKm(0, 0, 0, 1) } })!;
  assert.equal(circle(0, 1), true);
  assert.equal(circle(0, 1.001), false);
  const square = compileLocationFilter({ inPolygon: [{ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 2 }, { latitude: 2, longitude: 2 }, { latitude: 2, longitude: 0 }] })!;
  assert.equal(square(1, 1), true);
  assert.equal(square(0, 1), true, 'on an edge');
  assert.equal(square(3, 1), false);
  assert.throws(() => compileLocationFilter({ inPolygon: [{ latitude: 0, longitude: 0 }] }), OdmError);
  assert.throws(() => compileLocationFilter({ inCircle: { center: { latitude: 91, longitude: 0 }, radius: 1 } }), OdmError);
});

test('intervals are Go durations', () => {
  assert.equal(parseInterval('1h'), 3_600_000);
  assert.equal(parseInterval('2h45m'), 9_900_000);
  assert.equal(parseInterval('1.5h'), 5_400_000);
  assert.equal(parseInterval('300ms'), 300);
  assert.equal(parseInterval('24h'), 86_400_000);
  for (const bad of ['', 'h', '1d', '-1h', '1h ', '0s', '1 h', '1h30']) assert.throws(() => parseInterval(bad), { code: 'ODM_ERR_VALIDATION' }, bad);
});

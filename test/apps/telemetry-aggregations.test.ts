// Telemetry GraphQL aggregations against hand-computed answers: every float aggregation, string and
// location aggregation, every float filter, location filters, bucket alignment to `from`, [from, to)
// bounds, per-alias aggregations, and whole-chunk rollups agreeing with sample scans.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { startAppNode, type AppNode } from './support/app-node.ts';

let n: AppNode;
let vid: bigint;
let token: string;
let T0: number;
const MIN = 60_000, H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

before(async () => {
  n = await startAppNode();
  const { app, alice } = n.chain.actors;
  const lic = await n.appLicense(app);
  vid = await n.mintVehicle(alice);
  await n.chain.grant(alice, vid, app.address, [1, 4]);
  await n.mirrored();
  token = await n.vehicleToken(await n.developerToken(lic), vid, [1, 4]);
  T0 = Math.floor(n.clock.now() / H) * H - 48 * H;
  const at = (m: number) => T0 + m * MIN;
  // speed: hour 0 → 10 20 30 40; hour 1 → 5 5 50; hour 2 → 100. powertrainType in hour 0. Location in hour 0.
  await n.store(vid, [
    { time: at(0), samples: [['speed', at(0), 10], ['powertrainType', at(0), 'ICE']], points: [[at(0), 52.0, 13.0]], locationSamples: [['currentLocationAltitude', at(0), 100]] },
    { time: at(15), samples: [['speed', at(15), 20], ['powertrainType', at(15), 'ICE']] },
    { time: at(30), samples: [['speed', at(30), 30], ['powertrainType', at(30), 'HEV']], points: [[at(30), 52.2, 13.2]], locationSamples: [['currentLocationAltitude', at(30), 200]] },
    { time: at(40), points: [[at(40), 60.0, 10.0]] },
    { time: at(45), samples: [['speed', at(45), 40]] },
    { time: at(60), samples: [['speed', at(60), 5]] },
    { time: at(75), samples: [['speed', at(75), 5]] },
    { time: at(90), samples: [['speed', at(90), 50]] },
    { time: at(120), samples: [['speed', at(120), 100]] },
  ]);
});
after(() => n?.stop());

async function signals(fields: string, from: number, to: number, interval = '1h'): Promise<Array<Record<string, any>>> {
  const res = await n.graphql(token, `query($from: Time!, $to: Time!) { signals(tokenId: ${vid}, interval: "${interval}", from: $from, to: $to) { timestamp ${fields} } }`, { from: iso(from), to: iso(to) });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.errors, undefined, JSON.stringify(res.json.errors));
  return res.json.data.signals;
}

describe('signals: float aggregations', () => {
  it('computes AVG MED MAX MIN FIRST LAST per hour bucket, by alias', async () => {
    const rows = await signals('avg: speed(agg: AVG) med: speed(agg: MED) max: speed(agg: MAX) min: speed(agg: MIN) first: speed(agg: FIRST) last: speed(agg: LAST)', T0, T0 + 3 * H);
    assert.deepEqual(rows, [
      { timestamp: iso(T0), avg: 25, med: 25, max: 40, min: 10, first: 10, last: 40 },
      { timestamp: iso(T0 + H), avg: 20, med: 5, max: 50, min: 5, first: 5, last: 50 },
      { timestamp: iso(T0 + 2 * H), avg: 100, med: 100, max: 100, min: 100, first: 100, last: 100 },
    ]);
  });

  it('picks RAND among the bucket samples', async () => {
    for (let i = 0; i < 5; i++) {
      const [row] = await signals('r: speed(agg: RAND)', T0, T0 + H);
      assert.ok([10, 20, 30, 40].includes(row!.r), `RAND ${row!.r}`);
    }
  });

  it('aligns buckets to `from` (not to the hour) and ends the last at `to`', async () => {
    // [T0+30m, T0+90m): 30 40 5 5 → AVG 20, MED (5+30)/2 = 17.5; [T0+90m, T0+150m): 50 100 → AVG 75.
    const rows = await signals('avg: speed(agg: AVG) med: speed(agg: MED) n: speed(agg: MIN)', T0 + 30 * MIN, T0 + 150 * MIN);
    assert.deepEqual(rows, [
      { timestamp: iso(T0 + 30 * MIN), avg: 20, med: 17.5, n: 5 },
      { timestamp: iso(T0 + 90 * MIN), avg: 75, med: 75, n: 50 },
    ]);
    const quarter = await signals('s: speed(agg: AVG)', T0, T0 + H, '15m');
    assert.deepEqual(quarter.map((r) => [r.timestamp, r.s]), [[iso(T0), 10], [iso(T0 + 15 * MIN), 20], [iso(T0 + 30 * MIN), 30], [iso(T0 + 45 * MIN), 40]]);
  });

  it('includes `from` and excludes `to`', async () => {
    assert.deepEqual(await signals('s: speed(agg: MAX) c: speed(agg: AVG)', T0, T0 + 45 * MIN), [{ timestamp: iso(T0), s: 30, c: 20 }]);
    assert.deepEqual(await signals('s: speed(agg: MAX)', T0 + 45 * MIN, T0 + 46 * MIN), [{ timestamp: iso(T0 + 45 * MIN), s: 40 }]);
  });

  it('returns only buckets with data, [] for a range without any', async () => {
    const rows = await signals('s: speed(agg: AVG)', T0 - 5 * H, T0 + H);
    assert.deepEqual(rows.map((r) => r.timestamp), [iso(T0)]);
    assert.deepEqual(await signals('s: speed(agg: AVG)', T0 - 10 * H, T0 - 5 * H), []);
  });
});

describe('signals: float filters', () => {
  const cases: Array<[string, string, number | null]> = [
    ['{gt: 15}', 'AVG', 30],
    ['{lt: 15}', 'AVG', 10],
    ['{gte: 30}', 'AVG', 35],
    ['{lte: 20}', 'AVG', 15],
    ['{eq: 20}', 'AVG', 20],
    ['{neq: 20}', 'MAX', 40],
    ['{neq: 40}', 'AVG', 20],
    ['{in: [10, 40]}', 'AVG', 25],
    ['{notIn: [10, 40]}', 'MIN', 20],
    ['{or: [{lt: 15}, {gt: 35}]}', 'AVG', 25],
    ['{gte: 20, lte: 20, or: [{eq: 40}]}', 'AVG', 30],
    ['{gt: 5}', 'AVG', 25],
    ['{gt: 5}', 'MED', 25],
    ['{gt: 100}', 'AVG', null],
  ];
  for (const [filter, agg, expected] of cases) {
    it(`speed(agg: ${agg}, filter: ${filter}) on 10 20 30 40 → ${expected}`, async () => {
      const rows = await signals(`v: speed(agg: ${agg}, filter: ${filter})`, T0, T0 + H);
      assert.deepEqual(rows, expected === null ? [] : [{ timestamp: iso(T0), v: expected }]);
    });
  }

  it('applies a filter per alias, leaving other aliases unfiltered', async () => {
    assert.deepEqual(await signals('all: speed(agg: AVG) fast: speed(agg: AVG, filter: {gte: 30})', T0, T0 + H), [{ timestamp: iso(T0), all: 25, fast: 35 }]);
  });
});

describe('signals: strings and locations', () => {
  it('aggregates strings: TOP, UNIQUE, FIRST, LAST, RAND', async () => {
    const [row] = await signals('top: powertrainType(agg: TOP) u: powertrainType(agg: UNIQUE) f: powertrainType(agg: FIRST) l: powertrainType(agg: LAST) r: powertrainType(agg: RAND)', T0, T0 + H);
    assert.deepEqual({ ...row, r: undefined }, { timestamp: iso(T0), top: 'ICE', u: 'HEV,ICE', f: 'ICE', l: 'HEV', r: undefined });
    assert.ok(['ICE', 'HEV'].includes(row!.r));
  });

  it('aggregates locations: AVG, FIRST, LAST, and latitude/longitude as floats', async () => {
    const [row] = await signals(
      'a: currentLocationCoordinates(agg: AVG) { latitude longitude hdop } f: currentLocationCoordinates(agg: FIRST) { latitude longitude } l: currentLocationCoordinates(agg: LAST) { latitude longitude } lat: currentLocationLatitude(agg: MAX) lng: currentLocationLongitude(agg: MIN) alt: currentLocationAltitude(agg: AVG)',
      T0, T0 + H,
    );
    assert.ok(Math.abs(row!.a.latitude - (52.0 + 52.2 + 60.0) / 3) < 1e-9);
    assert.ok(Math.abs(row!.a.longitude - (13.0 + 13.2 + 10.0) / 3) < 1e-9);
    assert.equal(row!.a.hdop, 0);
    assert.deepEqual(row!.f, { latitude: 52.0, longitude: 13.0 });
    assert.deepEqual(row!.l, { latitude: 60.0, longitude: 10.0 });
    assert.equal(row!.lat, 60);
    assert.equal(row!.lng, 10);
    assert.equal(row!.alt, 150);
  });

  it('filters locations inside a circle (km) and a polygon', async () => {
    const [circle] = await signals('c: currentLocationCoordinates(agg: AVG, filter: {inCircle: {center: {latitude: 52.1, longitude: 13.1}, radius: 20}}) { latitude longitude }', T0, T0 + H);
    assert.ok(Math.abs(circle!.c.latitude - 52.1) < 1e-9 && Math.abs(circle!.c.longitude - 13.1) < 1e-9, JSON.stringify(circle));
    const [tiny] = await signals('c: currentLocationCoordinates(agg: LAST, filter: {inCircle: {center: {latitude: 52.0, longitude: 13.0}, radius: 1}}) { latitude longitude }', T0, T0 + H);
    assert.deepEqual(tiny!.c, { latitude: 52.0, longitude: 13.0 });
    const square = '[{latitude: 51, longitude: 12}, {latitude: 51, longitude: 14}, {latitude: 53, longitude: 14}, {latitude: 53, longitude: 12}]';
    const [poly] = await signals(`p: currentLocationCoordinates(agg: LAST, filter: {inPolygon: ${square}}) { latitude longitude }`, T0, T0 + H);
    assert.deepEqual(poly!.p, { latitude: 52.2, longitude: 13.2 });
    const bad = await n.graphql(token, `{ signals(tokenId: ${vid}, interval: "1h", from: "${iso(T0)}", to: "${iso(T0 + H)}") { p: currentLocationCoordinates(agg: LAST, filter: {inPolygon: [{latitude: 1, longitude: 1}]}) { latitude } } }`);
    assert.equal(bad.json.errors[0].extensions.code, 'ODM_ERR_VALIDATION');
  });

  it('approximates locations to the centre of their H3 resolution-6 cell', async () => {
    const [row] = await signals('x: currentLocationApproximateCoordinates(agg: FIRST) { latitude longitude }', T0, T0 + H);
    const [lat, lng] = cellToLatLng(latLngToCell(52.0, 13.0, 6));
    assert.deepEqual(row!.x, { latitude: lat, longitude: lng });
    assert.notDeepEqual(row!.x, { latitude: 52.0, longitude: 13.0 });
  });
});

describe('signals: arguments', () => {
  it('refuses bad intervals and ranges, and queries that cost too much', async () => {
    const q = (interval: string, from: number, to: number) =>
      n.graphql(token, `{ signals(tokenId: ${vid}, interval: "${interval}", from: "${iso(from)}", to: "${iso(to)}") { timestamp s: speed(agg: AVG) } }`);
    assert.equal((await q('soon', T0, T0 + H)).json.errors[0].extensions.code, 'ODM_ERR_VALIDATION');
    assert.equal((await q('0s', T0, T0 + H)).json.errors[0].extensions.code, 'ODM_ERR_VALIDATION');
    assert.equal((await q('1h', T0 + H, T0)).json.errors[0].extensions.code, 'ODM_ERR_VALIDATION');
    const costly = await q('1s', T0 - 30 * 24 * H, T0);
    assert.equal(costly.json.errors[0].extensions.code, 'ODM_ERR_QUERY_COST');
    assert.equal(costly.json.data.signals, null);
    assert.deepEqual((await q('2h45m', T0, T0 + 3 * H)).json.data.signals.map((r: { s: number }) => r.s), [(10 + 20 + 30 + 40 + 5 + 5 + 50 + 100) / 8, undefined].filter((x) => x !== undefined));
  });
});

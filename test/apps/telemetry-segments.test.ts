// Segments (ignition, frequency analysis, change points, idling, refuel, recharge) with DIMO's config
// ranges and cursor paging, events with name/source/tag filters, and dataSummary, against a synthetic
// day whose answers are worked out by hand below.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startAppNode, type AppNode, type Sample, type StoredEvent } from './support/app-node.ts';

let n: AppNode;
let vid: bigint;
let token: string;
let B: number;
const MIN = 60_000, H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const m = (minute: number) => B + minute * MIN;
let speedCount = 0;

before(async () => {
  n = await startAppNode();
  const { app, alice } = n.chain.actors;
  const lic = await n.appLicense(app);
  vid = await n.mintVehicle(alice);
  await n.chain.grant(alice, vid, app.address, [1, 4]);
  await n.mirrored();
  token = await n.vehicleToken(await n.developerToken(lic), vid, [1, 4]);
  B = Math.floor(n.clock.now() / H) * H - 72 * H;

  const events: StoredEvent[] = [];
  const at = (minute: number, samples: Sample[], extra: Partial<StoredEvent> = {}) => events.push({ time: m(minute), samples, ...extra });
  // Trip 1: ignition on 10–40, off 41–42 (bridged: < 5 min), on 43–50, off from 51 to 70.
  for (let i = 10; i <= 50; i++) {
    const on = i <= 40 || i >= 43;
    at(i, on ? [['isIgnitionOn', m(i), 1], ['speed', m(i), i - 10], ['powertrainTransmissionTravelledDistance', m(i), 1000 + (i - 10) * 0.5]] : [['isIgnitionOn', m(i), 0]]);
  }
  for (let i = 51; i <= 70; i++) at(i, [['isIgnitionOn', m(i), 0]]);
  events.find((e) => e.time === m(10))!.points = [[m(10), 50.0, 8.0]];
  events.find((e) => e.time === m(51))!.points = [[m(51), 50.5, 8.5]];
  // Trip 2: on 120–125 at 10 km/h with the engine at 800 rpm, off at 126.
  for (let i = 120; i <= 125; i++) {
    at(i, [['isIgnitionOn', m(i), 1], ['speed', m(i), 10], ['powertrainTransmissionTravelledDistance', m(i), 2000 + (i - 120)]]);
    for (let s = 0; s < 60; s += 10) events.push({ time: m(i) + s * 1000 + 1, samples: [['powertrainCombustionEngineSpeed', m(i) + s * 1000 + 1, 800]] });
  }
  at(126, [['isIgnitionOn', m(126), 0]]);
  // A 2-minute hop, too short for the 4-minute default minimum.
  at(200, [['isIgnitionOn', m(200), 1], ['speed', m(200), 5]]);
  at(201, [['isIgnitionOn', m(201), 1], ['speed', m(201), 5]]);
  at(202, [['isIgnitionOn', m(202), 0]]);
  // Idling 300–310: 750 rpm six times a minute, standing still.
  for (let i = 300; i <= 310; i++) {
    at(i, [['speed', m(i), 0]]);
    for (let s = 0; s < 60; s += 10) events.push({ time: m(i) + s * 1000 + 1, samples: [['powertrainCombustionEngineSpeed', m(i) + s * 1000 + 1, 750]] });
  }
  // Refuel: 20 → 60.2 % over 400–408, small dips after; a +3 % wobble at 500.
  for (const [i, v] of [[400, 20], [402, 25], [404, 40], [406, 60], [408, 60.2], [410, 59.9], [420, 59], [500, 59], [502, 62]] as const) at(i, [['powertrainFuelSystemRelativeLevel', m(i), v]]);
  // Recharge: charging 600–630 while the state of charge climbs 50 → 80 %.
  for (let i = 600; i <= 630; i++) at(i, [['powertrainTractionBatteryChargingIsCharging', m(i), 1], ['powertrainTractionBatteryStateOfChargeCurrent', m(i), 50 + (i - 600)]]);
  at(631, [['powertrainTractionBatteryChargingIsCharging', m(631), 0]]);
  // Events: two in one dimo.events CloudEvent, one inside a status payload.
  events.push({
    time: m(15), type: 'dimo.events', source: '0xaaaa000000000000000000000000000000000001',
    extra: { events: [
      { name: 'HarshBraking', timestamp: iso(m(15)), durationNs: 1_500_000_000, metadata: { g: 0.6 }, tags: ['safety', 'braking'] },
      { name: 'HarshAcceleration', timestamp: iso(m(16)), tags: ['safety'] },
    ] },
  });
  events.push({ time: m(122), extra: { events: [{ name: 'HarshBraking', timestamp: iso(m(122)) }] } });
  speedCount = events.reduce((c, e) => c + (e.samples ?? []).filter((s) => s[0] === 'speed').length, 0);
  await n.store(vid, events);
});
after(() => n?.stop());

async function segments(args: string, from = B, to = B + 12 * H, fields = 'start { timestamp value { latitude longitude } } end { timestamp value { latitude longitude } } duration isOngoing startedBeforeRange') {
  const res = await n.graphql(token, `query($from: Time!, $to: Time!) { segments(tokenId: ${vid}, from: $from, to: $to, ${args}) { ${fields} } }`, { from: iso(from), to: iso(to) });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json;
}

describe('segments', () => {
  it('detects ignition trips, bridging short off periods and dropping short hops', async () => {
    const res = await segments('mechanism: ignitionDetection', B, B + 12 * H, 'start { timestamp value { latitude longitude } } end { timestamp value { latitude longitude } } duration isOngoing startedBeforeRange signals { name agg value }');
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const [t1, t2, ...rest] = res.data.segments;
    assert.equal(rest.length, 0);
    assert.deepEqual(t1.start, { timestamp: iso(m(10)), value: { latitude: 50.0, longitude: 8.0 } });
    assert.deepEqual(t1.end, { timestamp: iso(m(51)), value: { latitude: 50.5, longitude: 8.5 } });
    assert.equal(t1.duration, 41 * 60);
    assert.equal(t1.isOngoing, false);
    assert.equal(t1.startedBeforeRange, false);
    assert.deepEqual(t1.signals, [
      { name: 'powertrainTransmissionTravelledDistance', agg: 'FIRST', value: 1000 },
      { name: 'powertrainTransmissionTravelledDistance', agg: 'LAST', value: 1020 },
      { name: 'speed', agg: 'MAX', value: 40 },
    ]);
    assert.equal(t2.start.timestamp, iso(m(120)));
    assert.equal(t2.end.timestamp, iso(m(126)));
    assert.equal(t2.duration, 6 * 60);
    assert.deepEqual(t2.start.value, { latitude: 50.5, longitude: 8.5 }, 'no fix inside: the last one before');
  });

  it('marks segments that began before `from` or run past `to`', async () => {
    const late = await segments('mechanism: ignitionDetection', m(20), m(100));
    assert.deepEqual(late.data.segments[0].start.timestamp, iso(m(20)));
    assert.equal(late.data.segments[0].startedBeforeRange, true);
    const open = await segments('mechanism: ignitionDetection', B, m(45));
    assert.equal(open.data.segments[0].isOngoing, true);
    assert.equal(open.data.segments[0].end, null);
    assert.equal(open.data.segments[0].duration, 35 * 60);
  });

  it('finds the same trips by signal frequency, and pages with limit and after', async () => {
    const freq = await segments('mechanism: frequencyAnalysis, config: {signalCountThreshold: 2}');
    assert.deepEqual(freq.data.segments.map((s: { start: { timestamp: string }; duration: number }) => [s.start.timestamp, s.duration]), [[iso(m(10)), 41 * 60], [iso(m(120)), 6 * 60], [iso(m(300)), 11 * 60], [iso(m(600)), 31 * 60]]);
    const page1 = await segments('mechanism: ignitionDetection, limit: 1');
    assert.equal(page1.data.segments.length, 1);
    const res = await n.graphql(token, `{ segments(tokenId: ${vid}, from: "${iso(B)}", to: "${iso(B + 12 * H)}", mechanism: ignitionDetection, limit: 1, after: "${page1.data.segments[0].start.timestamp}") { start { timestamp } } }`);
    assert.deepEqual(res.json.data.segments.map((s: { start: { timestamp: string } }) => s.start.timestamp), [iso(m(120))]);
    const cp = await segments('mechanism: changePointDetection');
    assert.ok(cp.data.segments.some((s: { start: { timestamp: string } }) => s.start.timestamp === iso(m(10))), JSON.stringify(cp.data.segments));
  });

  it('detects idling only while standing still', async () => {
    const res = await segments('mechanism: idling, config: {signalCountThreshold: 5}');
    assert.deepEqual(res.data.segments.map((s: { start: { timestamp: string }; end: { timestamp: string } }) => [s.start.timestamp, s.end.timestamp]), [[iso(m(300)), iso(m(311))]]);
    const strict = await segments('mechanism: idling, config: {signalCountThreshold: 5, maxIdleRpm: 700}');
    assert.deepEqual(strict.data.segments, []);
  });

  it('detects a refuel and a recharge with their level summaries', async () => {
    const fields = 'start { timestamp } end { timestamp } duration signals { name agg value }';
    const refuel = await segments('mechanism: refuel', B, B + 12 * H, fields);
    assert.deepEqual(refuel.data.segments.map((s: { start: { timestamp: string }; end: { timestamp: string } }) => [s.start.timestamp, s.end.timestamp]), [[iso(m(400)), iso(m(408))]]);
    const fuel = refuel.data.segments[0].signals.filter((s: { name: string }) => s.name === 'powertrainFuelSystemRelativeLevel');
    assert.deepEqual(fuel, [{ name: 'powertrainFuelSystemRelativeLevel', agg: 'FIRST', value: 20 }, { name: 'powertrainFuelSystemRelativeLevel', agg: 'LAST', value: 60.2 }]);
    assert.deepEqual((await segments('mechanism: refuel, config: {minIncreasePercent: 50}', B, B + 12 * H, fields)).data.segments, []);
    const recharge = await segments('mechanism: recharge', B, B + 12 * H, fields);
    assert.deepEqual(recharge.data.segments.map((s: { start: { timestamp: string }; end: { timestamp: string } }) => [s.start.timestamp, s.end.timestamp]), [[iso(m(600)), iso(m(631))]]);
    const soc = recharge.data.segments[0].signals.filter((s: { name: string }) => s.name === 'powertrainTractionBatteryStateOfChargeCurrent');
    assert.deepEqual(soc.map((s: { value: number }) => s.value), [50, 80]);
  });

  it('counts requested events per segment and adds requested signals', async () => {
    const res = await segments('mechanism: ignitionDetection, eventRequests: [{name: "HarshBraking"}, {name: "Nothing"}], signalRequests: [{name: "speed", agg: AVG}]', B, B + 12 * H, 'eventCounts { name count } signals { name agg value }');
    assert.deepEqual(res.data.segments.map((s: { eventCounts: unknown }) => s.eventCounts), [
      [{ name: 'HarshBraking', count: 1 }, { name: 'Nothing', count: 0 }],
      [{ name: 'HarshBraking', count: 1 }, { name: 'Nothing', count: 0 }],
    ]);
    // Trip 1 speeds: 0…30 (minutes 10–40) and 33…40 (43–50): (465 + 292) / 39.
    assert.deepEqual(res.data.segments[0].signals.find((s: { agg: string }) => s.agg === 'AVG'), { name: 'speed', agg: 'AVG', value: (465 + 292) / 39 });
  });

  it("validates DIMO's configuration ranges, the limit and the 31-day range", async () => {
    const code = async (args: string, from = B, to = B + 12 * H) => (await segments(args, from, to)).errors?.[0]?.extensions.code;
    assert.equal(await code('mechanism: ignitionDetection, config: {maxGapSeconds: 30}'), 'ODM_ERR_VALIDATION');
    assert.equal(await code('mechanism: ignitionDetection, config: {minSegmentDurationSeconds: 4000}'), 'ODM_ERR_VALIDATION');
    assert.equal(await code('mechanism: frequencyAnalysis, config: {signalCountThreshold: 0}'), 'ODM_ERR_VALIDATION');
    assert.equal(await code('mechanism: idling, config: {maxIdleRpm: 100}'), 'ODM_ERR_VALIDATION');
    assert.equal(await code('mechanism: ignitionDetection, config: {maxIdleRpm: 100}'), undefined, 'ignored for other mechanisms');
    assert.equal(await code('mechanism: refuel, config: {minIncreasePercent: 0}'), 'ODM_ERR_VALIDATION');
    assert.equal(await code('mechanism: ignitionDetection, limit: 201'), 'ODM_ERR_VALIDATION');
    assert.equal(await code('mechanism: ignitionDetection', B - 32 * 24 * H, B), 'ODM_ERR_VALIDATION');
  });
});

describe('events', () => {
  const q = (filter = '') => n.graphql(token, `{ events(tokenId: ${vid}, from: "${iso(B)}", to: "${iso(B + 12 * H)}"${filter}) { timestamp name source durationNs metadata tags } }`);

  it('lists events from dimo.events and status payloads, in time order', async () => {
    const res = await q();
    assert.deepEqual(res.json.data.events, [
      { timestamp: iso(m(15)), name: 'HarshBraking', source: '0xaaaa000000000000000000000000000000000001', durationNs: 1_500_000_000, metadata: '{"g":0.6}', tags: ['safety', 'braking'] },
      { timestamp: iso(m(16)), name: 'HarshAcceleration', source: '0xaaaa000000000000000000000000000000000001', durationNs: 0, metadata: null, tags: ['safety'] },
      { timestamp: iso(m(122)), name: 'HarshBraking', source: '0x1234567890123456789012345678901234567890', durationNs: 0, metadata: null, tags: [] },
    ]);
  });

  it('filters by name, source and tags', async () => {
    const names = async (filter: string) => (await q(`, filter: ${filter}`)).json.data.events.map((e: { timestamp: string; name: string }) => `${e.name}@${e.timestamp}`);
    assert.deepEqual(await names('{name: {eq: "HarshAcceleration"}}'), [`HarshAcceleration@${iso(m(16))}`]);
    assert.equal((await names('{name: {in: ["HarshBraking"]}}')).length, 2);
    assert.deepEqual(await names('{tags: {containsAll: ["safety", "braking"]}}'), [`HarshBraking@${iso(m(15))}`]);
    assert.equal((await names('{tags: {containsAny: ["safety"]}}')).length, 2);
    assert.deepEqual(await names('{tags: {notContainsAny: ["safety"]}}'), [`HarshBraking@${iso(m(122))}`]);
    assert.equal((await names('{source: {startsWith: "0xaaaa"}}')).length, 2);
    assert.equal((await names('{name: {neq: "HarshBraking"}, source: {eq: "0x1234567890123456789012345678901234567890"}}')).length, 0);
  });

  it('needs privileges 1 and 4', async () => {
    const { app, alice } = n.chain.actors;
    void alice;
    const lic = await n.appLicense(app);
    const one = await n.vehicleToken(await n.developerToken(lic), vid, [1]);
    const res = await n.graphql(one, `{ events(tokenId: ${vid}, from: "${iso(B)}", to: "${iso(B + H)}") { name } }`);
    assert.equal(res.json.data.events, null);
    assert.equal(res.json.errors[0].extensions.code, 'ODM_ERR_PRIVILEGE_NOT_IN_TOKEN');
    assert.deepEqual(res.json.errors[0].extensions.missing, [4]);
  });
});

describe('dataSummary', () => {
  it('counts each signal and event with first and last times', async () => {
    const res = await n.graphql(token, `{ dataSummary(tokenId: ${vid}) { numberOfSignals availableSignals firstSeen lastSeen signalDataSummary { name numberOfSignals firstSeen lastSeen } eventDataSummary { name numberOfEvents firstSeen lastSeen } } }`);
    const s = res.json.data.dataSummary;
    const speed = s.signalDataSummary.find((x: { name: string }) => x.name === 'speed');
    assert.deepEqual(speed, { name: 'speed', numberOfSignals: speedCount, firstSeen: iso(m(10)), lastSeen: iso(m(310)) });
    assert.deepEqual(s.signalDataSummary.find((x: { name: string }) => x.name === 'currentLocationCoordinates'), { name: 'currentLocationCoordinates', numberOfSignals: 2, firstSeen: iso(m(10)), lastSeen: iso(m(51)) });
    assert.equal(s.firstSeen, iso(m(10)));
    assert.equal(s.lastSeen, iso(m(631)));
    assert.equal(s.numberOfSignals, s.signalDataSummary.reduce((a: number, x: { numberOfSignals: number }) => a + x.numberOfSignals, 0));
    assert.deepEqual(s.eventDataSummary, [
      { name: 'HarshAcceleration', numberOfEvents: 1, firstSeen: iso(m(16)), lastSeen: iso(m(16)) },
      { name: 'HarshBraking', numberOfEvents: 2, firstSeen: iso(m(15)), lastSeen: iso(m(122)) },
    ]);
    assert.deepEqual(s.availableSignals, [...s.availableSignals].sort());
  });
});

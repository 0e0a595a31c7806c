import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOdmError } from '../core/errors.ts';
import type { NormalizedSignals } from '../ingest/normalize/normalize.ts';
import { applyPrivacy } from './apply-privacy.ts';
import { compileZone, redactPoint, validateZone, zoneAt } from './zones.ts';

const HOME = { lat: 52.520008, lng: 13.404954 };

/** A point `m` metres from HOME in direction `deg`. */
function offset(m: number, deg: number): [number, number] {
  const a = (deg * Math.PI) / 180;
  return [HOME.lat + (m * Math.sin(a)) / 111_320, HOME.lng + (m * Math.cos(a)) / (111_320 * Math.cos((HOME.lat * Math.PI) / 180))];
}

test('a circle zone covers every point inside it', () => {
  for (const radiusM of [60, 300, 5000]) {
    const zone = compileZone(validateZone({ kind: 'circle', lat: HOME.lat, lng: HOME.lng, radiusM }, 0));
    for (let deg = 0; deg < 360; deg += 7) {
      for (const f of [0, 0.5, 0.99]) {
        const [lat, lng] = offset(radiusM * f, deg);
        assert.ok(zoneAt([zone], lat, lng), `r=${radiusM} ${deg}° ${f}`);
      }
    }
    const [farLat, farLng] = offset(radiusM * 3 + 2000, 45);
    assert.equal(zoneAt([zone], farLat, farLng), undefined);
  }
});

test('a polygon zone covers its inside', () => {
  const zone = compileZone(validateZone({ kind: 'polygon', points: [[52.50, 13.38], [52.50, 13.42], [52.53, 13.42], [52.53, 13.38]], action: 'drop' }, 0));
  assert.equal(zoneAt([zone], 52.515, 13.40)?.action, 'drop');
  assert.equal(zoneAt([zone], 52.60, 13.40), undefined);
});

test('zone input is validated with reasons', () => {
  for (const bad of [{ kind: 'circle', lat: 95, lng: 0, radiusM: 100 }, { kind: 'circle', lat: 0, lng: 0, radiusM: 5 }, { kind: 'polygon', points: [[0, 0]] }, { kind: 'square' }, { kind: 'circle', lat: 1, lng: 1, radiusM: 100, action: 'blur' }]) {
    assert.throws(() => validateZone(bad, 3), (e) => isOdmError(e) && e.code === 'ODM_ERR_PRIVACY_ZONE_INVALID' && /zone 3/.test(e.message));
  }
});

function signals(): NormalizedSignals {
  const [nearLat, nearLng] = offset(50, 10);
  return {
    samples: [0, 1000, 5],
    locationSamples: [1, 1000, 34, 1, 60_000, 35],
    points: [{ ts: 1000, lat: nearLat, lng: nearLng }, { ts: 60_000, lat: 48.137, lng: 11.575 }],
    rejected: [],
    collapsed: 0,
  };
}

test('privacy: redact moves in-zone points to a coarse cell centre, drop removes them, opt-out removes all location', () => {
  const redact = { locationOptOut: false, zones: [compileZone({ kind: 'circle', lat: HOME.lat, lng: HOME.lng, radiusM: 200, action: 'redact' })] };
  const a = signals();
  assert.deepEqual(applyPrivacy(redact, a), { withheld: 1, redacted: 1 });
  const [clat, clng] = redactPoint(HOME.lat, HOME.lng);
  assert.deepEqual(a.points[0], { ts: 1000, lat: clat, lng: clng, redacted: true });
  assert.ok(Math.abs(clat - HOME.lat) + Math.abs(clng - HOME.lng) > 1e-4, 'the stored point is not the exact one');
  assert.deepEqual(a.points[1], { ts: 60_000, lat: 48.137, lng: 11.575 });
  assert.deepEqual(a.locationSamples, [1, 60_000, 35], 'altitude next to the redacted point goes too');
  assert.deepEqual(a.samples, [0, 1000, 5]);

  const drop = { locationOptOut: false, zones: [compileZone({ kind: 'circle', lat: HOME.lat, lng: HOME.lng, radiusM: 200, action: 'drop' })] };
  const b = signals();
  assert.deepEqual(applyPrivacy(drop, b), { withheld: 2, redacted: 0 });
  assert.deepEqual(b.points.map((p) => p.ts), [60_000]);

  const c = signals();
  assert.deepEqual(applyPrivacy({ locationOptOut: true, zones: [] }, c), { withheld: 4, redacted: 0 });
  assert.deepEqual([c.points, c.locationSamples, c.samples], [[], [], [0, 1000, 5]]);
});

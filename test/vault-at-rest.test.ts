// DESIGN.md §8 at rest: after ingesting known values, the raw database files (SQLite file, WAL and
// shared memory) and the logs hold no plaintext VIN, coordinates or signal values; and after a
// crypto-shredding delete, a copy of the database taken before it cannot be read with the node's keys.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { REDACTED_KEYS } from '../src/core/logger.ts';
import { signedEvent, twentySignals } from '../src/ingest/testing.ts';
import { openStore } from '../src/store/open-store.ts';
import { silentLogger } from '../src/core/logger.ts';
import { open } from '../src/vault/aead.ts';
import { DataKeys, locationKeyRef } from '../src/vault/data-keys.ts';
import { logAad } from '../src/vault/event-log.ts';
import { VaultReader } from '../src/vault/vault-reader.ts';
import { HARNESS_T0, startHarness, type Harness } from './support/ingest-harness.ts';

const T = new Date(HARNESS_T0 - 30_000).toISOString();
const VIN = 'WDB1240221A987654';
const LAT = 47.123456, LNG = 8.654321, ODO = 987654.321, DTC = 'P0420ZZTEST', ZONE_LAT = 47.2222, ZONE_LNG = 8.3333;

let logText = '';
const logSink = new Writable({ write(chunk, _enc, cb) { logText += chunk.toString(); cb(); } });
const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

let h: Harness;
before(async () => {
  h = await startHarness({ devices: 2, logger: pino({ level: 'trace', redact: { paths, censor: '[redacted]' } }, logSink) });
});
after(() => h.close());

function statusEvent(i: number, id: string): string {
  const data = twentySignals(T, 1, [LAT, LNG]) as { signals: Array<{ name: string; timestamp: string; value: unknown }>; vin?: string };
  data.signals[1] = { name: 'powertrainTransmissionTravelledDistance', timestamp: T, value: ODO };
  data.signals.push({ name: 'obdDTCList', timestamp: T, value: DTC });
  data.vin = VIN;
  return signedEvent(h.devices[i]!, { id, time: T, data });
}

function float64(x: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
}

const NEEDLES: Array<[string, Buffer]> = [
  ['VIN', Buffer.from(VIN)],
  ['VIN (UTF-16)', Buffer.from(VIN, 'utf16le')],
  ['latitude', Buffer.from(String(LAT))],
  ['longitude', Buffer.from(String(LNG))],
  ['latitude (float64)', float64(LAT)],
  ['longitude (float64)', float64(LNG)],
  ['odometer', Buffer.from(String(ODO))],
  ['odometer (float64)', float64(ODO)],
  ['DTC string', Buffer.from(DTC)],
  ['zone latitude', Buffer.from(String(ZONE_LAT))],
  ['zone longitude', Buffer.from(String(ZONE_LNG))],
];

function scanFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const bytes = readFileSync(p);
        for (const [what, needle] of NEEDLES) if (bytes.includes(needle)) found.push(`${what} in ${p.slice(dir.length + 1)}`);
      }
    }
  };
  walk(dir);
  return found;
}

describe('nothing readable at rest', () => {
  it('the SQLite file, its WAL and the logs hold no plaintext VIN, coordinates or signal values', async () => {
    await h.svc.privacy.set(String(h.devices[0]!.vehicleTokenId), 1, h.devices[0]!.owner, {
      locationOptOut: false, zones: [{ kind: 'circle', lat: ZONE_LAT, lng: ZONE_LNG, radiusM: 300, action: 'redact' }],
    });
    const fingerprint = signedEvent(h.devices[0]!, { id: 'fp', time: T, type: 'dimo.fingerprint', data: { vin: VIN } });
    const tampered = statusEvent(1, 'tampered').replace(String(ODO), String(ODO + 1));
    const [r] = await h.svc.pipeline.ingest([Buffer.from(`[${statusEvent(0, 'known-1')},${statusEvent(1, 'known-2')},${fingerprint},${tampered}]`)], { transport: 'http' });
    assert.deepEqual(r!.map((x) => x.status), ['stored', 'stored', 'stored', 'rejected']);
    assert.ok(existsSync(join(h.dir, 'opendimo.db-wal')), 'the WAL is part of the scan');
    assert.deepEqual(scanFiles(h.dir), [], 'in the append log');
    await h.svc.vault.flush();
    assert.deepEqual(scanFiles(h.dir), [], 'after compaction into chunks, latest values and the location stream');
    // The values did arrive: they read back through the vault.
    const latest = await h.svc.vault.reader.latest(String(h.devices[0]!.vehicleTokenId), 1);
    assert.deepEqual(latest?.signals.powertrainTransmissionTravelledDistance?.[1], ODO);
    assert.equal((await h.svc.vault.reader.latestLocation(String(h.devices[1]!.vehicleTokenId), 1))?.point?.[1], LAT);
    assert.ok(logText.length > 0, 'trace logging was on');
    for (const [what, needle] of NEEDLES) assert.ok(!Buffer.from(logText).includes(needle), `${what} in the logs`);
  });
});

describe('crypto-shredding', () => {
  it('after deleting a vehicle, a copy of the database taken before cannot be read with the node\'s keys', async () => {
    const [victim, other] = [h.devices[0]!, h.devices[1]!];
    const vid = String(victim.vehicleTokenId);
    await h.svc.pipeline.ingest([Buffer.from(statusEvent(0, 'shred-1'))], { transport: 'http' });
    await h.svc.vault.flush();
    await h.svc.pipeline.ingest([Buffer.from(`[${statusEvent(0, 'shred-2')},${statusEvent(1, 'keep-2')}]`)], { transport: 'http' }); // left in the append log

    // The copy: database file and WAL as they are on disk right now.
    const copyDir = join(h.dir, 'copy');
    mkdirSync(copyDir);
    for (const f of ['opendimo.db', 'opendimo.db-wal']) if (existsSync(join(h.dir, f))) copyFileSync(join(h.dir, f), join(copyDir, f));
    const copy = await openStore({ dataDir: copyDir, logger: silentLogger(), migrate: false });
    try {
      const readerNow = () => new VaultReader(copy, new DataKeys(h.svc.vault.keyring), h.svc.vault.pseudonyms);
      assert.ok((await readerNow().events(vid, 1)).length > 0, 'before the delete, the copy reads with the node\'s keys');

      const report = await h.svc.vault.shredder.shredVehicle(vid);
      assert.ok(report.keys >= 2);

      // The live database: the victim is gone, the other vehicle intact (including its event that sat in the log).
      assert.deepEqual(await h.svc.vault.reader.events(vid, 1), []);
      assert.ok((await h.svc.vault.reader.events(String(other.vehicleTokenId), 1)).some((e) => e.id === 'keep-2'));

      // The copy still holds the victim's rows...
      const keyRows = await copy.db.selectFrom('vault_keys').selectAll().execute();
      const streamRef = locationKeyRef(h.svc.vault.pseudonyms.streamId(vid, 1));
      const victimKeys = keyRows.filter((k) => k.vehicle_id === vid || k.key_ref === streamRef);
      assert.equal(victimKeys.length, 2);
      assert.ok((await copy.db.selectFrom('vault_chunks').select('seg_id').where('vehicle_id', '=', vid).execute()).length > 0);
      const logRows = await copy.db.selectFrom('vault_log').selectAll().execute();
      assert.ok(logRows.length > 0);

      // ...but nothing of them opens with the node's keys any more.
      const keys = new DataKeys(h.svc.vault.keyring);
      for (const k of victimKeys) assert.throws(() => keys.unwrap(k.key_ref, k.bucket, k.bucket_version, k.wrapped), /destroyed bucket key|does not open/, k.key_ref);
      for (const row of logRows) {
        const key = h.svc.vault.keyring.logKeyFor(row.epoch);
        assert.equal(key, undefined, `log epoch ${row.epoch} was erased`);
      }
      await assert.rejects(readerNow().events(vid, 1), /destroyed bucket key/);
      await assert.rejects(readerNow().latest(vid, 1), /destroyed bucket key/);
      await assert.rejects(readerNow().locations(vid, 1), /destroyed bucket key/);
      // Not even with any other key that still unwraps from the copy.
      const usable = keyRows.flatMap((k) => { try { return [keys.unwrap(k.key_ref, k.bucket, k.bucket_version, k.wrapped)]; } catch { return []; } });
      const chunks = await copy.db.selectFrom('vault_chunks').selectAll().where('vehicle_id', '=', vid).execute();
      for (const c of chunks) for (const key of usable) assert.throws(() => open(key, c.samples, `vault_chunks/${c.seg_id}/${vid}/1/${c.chunk_start}/samples`));
      for (const row of logRows) for (const epoch of h.svc.vault.keyring.logEpochs()) assert.throws(() => open(h.svc.vault.keyring.logKeyFor(epoch)!, row.ct, logAad(row.epoch)));
    } finally {
      await copy.close();
    }
  });
});

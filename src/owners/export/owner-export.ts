// "Download everything": one zip with all an owner's data on this node, readable without opendimo.
//   README.txt                         what each file holds
//   account.json                       address, email (if any), vehicles, when exported
//   activity.json                      the whole activity log, oldest first, and its verification
//   grants.json                        who may see what, with the consent documents agreed to
//   vehicles/<id>/vehicle.json         identity, connections, privacy settings
//   vehicles/<id>/signals.csv          every stored sample: time, signal, value
//   vehicles/<id>/locations.csv        every stored position (redacted ones as stored)
//   vehicles/<id>/events.json          the archived events (ids, sources, signers)
//   vehicles/<id>/documents/…          the glovebox, decrypted, with documents.json
// The vault is compacted first so what arrived a moment ago is included. The export is recorded in the
// owner's activity log.
import JSZip from 'jszip';
import { getActivityLog, type ActivityEntry } from '../../activity/activity-log.ts';
import { getIngestService } from '../../ingest/ingest-capability.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getGlovebox } from '../../glovebox/glovebox-service.ts';
import { getOwnerAccounts } from '../accounts/owner-accounts-service.ts';
import { connectionsOf } from '../data/owner-vehicles.ts';
import { ownedVehicle, ownedVehicleIds } from '../data/owned-vehicle.ts';
import { csvLine } from './csv.ts';

const README = `This archive holds everything an opendimo node stored about you, as of the time in account.json.

account.json       your address, your sign-in email (if you use one) and your vehicles
activity.json      your activity log: every collection, access by an app, grant, revocation, export
                   and deletion, oldest first, with the result of checking its hash chain
grants.json        the access you granted to apps, with the consent documents you signed
vehicles/<id>/     one folder per vehicle:
  vehicle.json     what the chain says about it, its OEM connections and your privacy settings
  signals.csv      every stored reading: time (ISO 8601 and epoch ms), signal name (VSS), value
  locations.csv    every stored position; "redacted" marks points moved by a privacy zone
  events.json      the events the readings came in (ids, sources, the device that signed them)
  documents/       your glovebox documents, decrypted, and documents.json describing them

Times are UTC. Units are those of the VSS catalogue (km, km/h, kPa, °C, kWh, percent).
`;

async function allActivity(services: NodeServices, owner: string): Promise<ActivityEntry[]> {
  const log = getActivityLog(services);
  const out: ActivityEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const r = await log.list(owner, { order: 'asc', limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...r.entries);
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return out;
}

export async function buildOwnerExport(services: NodeServices, owner: string, grants: unknown): Promise<{ zip: Buffer; filename: string; counts: Record<string, number> }> {
  const ingest = getIngestService(services);
  await ingest.vault.flush();
  const zip = new JSZip();
  const now = services.clock.now();
  const stamp = new Date(now).toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const root = zip.folder(`opendimo-export-${stamp}`)!;
  const counts = { vehicles: 0, samples: 0, locations: 0, events: 0, documents: 0, activity: 0 };
  const account = await getOwnerAccounts(services).describe(owner).catch(() => undefined);
  const vehicleIds = ownedVehicleIds(services, owner);
  const connections = await connectionsOf(services, owner);

  root.file('README.txt', README);
  for (const id of vehicleIds) {
    const v = ownedVehicle(services, owner, id);
    const vid = String(id);
    const dir = root.folder(`vehicles/${vid}`)!;
    counts.vehicles++;
    const privacy = await ingest.privacy.get(vid, v.version);
    dir.file('vehicle.json', JSON.stringify({
      tokenId: vid, make: v.make, model: v.model, year: v.year, mintedAt: new Date(v.mintedAt).toISOString(), ownerEpoch: v.version,
      connections: connections.filter((c) => c.vehicleId === vid), privacy,
    }, null, 2));
    let signals = csvLine(['time', 'epoch_ms', 'signal', 'value']);
    const chunks = await ingest.vault.reader.chunks(vid, v.version);
    const samples: Array<[number, string, number | string]> = [];
    for (const c of chunks) for (const [name, s] of Object.entries(c.samples)) for (let i = 0; i < s.ts.length; i++) samples.push([s.ts[i]!, name, s.v[i]!]);
    samples.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
    for (const [ts, name, value] of samples) signals += csvLine([new Date(ts).toISOString(), ts, name, value]);
    counts.samples += samples.length;
    dir.file('signals.csv', signals);
    const loc = await ingest.vault.reader.locations(vid, v.version);
    let locations = csvLine(['time', 'epoch_ms', 'latitude', 'longitude', 'redacted']);
    for (const p of loc.points) locations += csvLine([new Date(p.ts).toISOString(), p.ts, p.lat, p.lng, p.redacted]);
    const locationSamples: Array<[number, string, number | string]> = [];
    for (const s of loc.samples) for (const [name, series] of Object.entries(s)) for (let i = 0; i < series.ts.length; i++) locationSamples.push([series.ts[i]!, name, series.v[i]!]);
    if (locationSamples.length > 0) {
      let extra = csvLine(['time', 'epoch_ms', 'signal', 'value']);
      for (const [ts, name, value] of locationSamples.sort((a, b) => a[0] - b[0])) extra += csvLine([new Date(ts).toISOString(), ts, name, value]);
      dir.file('location-signals.csv', extra);
    }
    counts.locations += loc.points.length;
    dir.file('locations.csv', locations);
    const events = chunks.flatMap((c) => c.events).sort((a, b) => a.time - b.time);
    counts.events += events.length;
    dir.file('events.json', JSON.stringify(events.map((e) => ({ ...e, time: new Date(e.time).toISOString() })), null, 2));
    const glovebox = getGlovebox(services);
    const docs = await glovebox.list(vid, v.version);
    if (docs.length > 0) {
      const folder = dir.folder('documents')!;
      folder.file('documents.json', JSON.stringify(docs, null, 2));
      for (const d of docs) {
        const { content } = await glovebox.read(vid, v.version, d.id);
        folder.file(`${d.id.slice(0, 8)}-${d.name.replace(/[^\w. ()-]+/g, '_').slice(0, 100)}`, content);
        counts.documents++;
      }
    }
  }
  const activity = await allActivity(services, owner);
  counts.activity = activity.length;
  const verification = await getActivityLog(services).verify(owner);
  root.file('activity.json', JSON.stringify({ verification, entries: activity.map((e) => ({ ...e, time: new Date(e.at).toISOString() })) }, null, 2));
  root.file('grants.json', JSON.stringify(grants, null, 2));
  root.file('account.json', JSON.stringify({
    address: owner, email: account?.email ?? null, vehicles: vehicleIds.map(String), exportedAt: new Date(now).toISOString(), counts,
  }, null, 2));
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
  await getActivityLog(services).append({ owner, kind: 'export', detail: { bytes: buffer.length, ...counts } });
  return { zip: buffer, filename: `opendimo-export-${stamp}.zip`, counts };
}

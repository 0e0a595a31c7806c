// After a deletion, the owner is shown what this node still holds: each count read from the tables
// themselves (not from what the deletion reported), so "nothing remains" is checked, not assumed.
import { getActivityLog } from '../../activity/activity-log.ts';
import { getIngestService } from '../../ingest/ingest-capability.ts';
import { vehicleKeyRef, locationKeyRef } from '../../vault/data-keys.ts';
import type { NodeServices } from '../../node/start-node.ts';

export interface Remaining {
  telemetryChunks: number;
  latestValues: number;
  locationChunks: number;
  dataKeys: number;
  privacySettings: number;
  documents: number;
  liveConnections: number;
}

const n = (r: { n: number | string | bigint } | undefined) => Number(r?.n ?? 0);

export async function vehicleRemains(services: NodeServices, owner: string, vehicleId: string, version: number): Promise<Remaining> {
  const db = services.store.db;
  const streamId = getIngestService(services).vault.pseudonyms.streamId(vehicleId, version);
  const [chunks, latest, locations, locLatest, keys, privacy, docs, live] = await Promise.all([
    db.selectFrom('vault_chunks').select((eb) => eb.fn.countAll<number>().as('n')).where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst(),
    db.selectFrom('vault_latest').select((eb) => eb.fn.countAll<number>().as('n')).where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst(),
    db.selectFrom('vault_location_chunks').select((eb) => eb.fn.countAll<number>().as('n')).where('stream_id', '=', streamId).executeTakeFirst(),
    db.selectFrom('vault_location_latest').select((eb) => eb.fn.countAll<number>().as('n')).where('stream_id', '=', streamId).executeTakeFirst(),
    db.selectFrom('vault_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('key_ref', 'in', [vehicleKeyRef(vehicleId, version), locationKeyRef(streamId)]).executeTakeFirst(),
    db.selectFrom('privacy_settings').select((eb) => eb.fn.countAll<number>().as('n')).where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst(),
    db.selectFrom('glovebox_documents').select((eb) => eb.fn.countAll<number>().as('n')).where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst(),
    db.selectFrom('connector_vehicles').select((eb) => eb.fn.countAll<number>().as('n')).where('owner', '=', owner.toLowerCase()).where('vehicle_token_id', '=', vehicleId).where('state', '<>', 'disconnected').executeTakeFirst(),
  ]);
  return {
    telemetryChunks: n(chunks), latestValues: n(latest), locationChunks: n(locations) + n(locLatest), dataKeys: n(keys),
    privacySettings: n(privacy), documents: n(docs), liveConnections: n(live),
  };
}

export interface AccountRemaining {
  vehicleDataKeys: number;
  documents: number;
  activityEntries: number;
  consentDocuments: number;
  liveConnections: number;
  oemTokens: number;
  account: number;
}

export async function accountRemains(services: NodeServices, owner: string): Promise<AccountRemaining> {
  const db = services.store.db;
  const me = owner.toLowerCase();
  const [keys, docs, consents, live, tokens, account] = await Promise.all([
    db.selectFrom('vault_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('owner', '=', me).executeTakeFirst(),
    db.selectFrom('glovebox_documents').select((eb) => eb.fn.countAll<number>().as('n')).where('owner', '=', me).executeTakeFirst(),
    db.selectFrom('consent_documents').select((eb) => eb.fn.countAll<number>().as('n')).where('grantor', '=', me).executeTakeFirst(),
    db.selectFrom('connector_vehicles').select((eb) => eb.fn.countAll<number>().as('n')).where('owner', '=', me).where('state', '<>', 'disconnected').executeTakeFirst(),
    db.selectFrom('connector_accounts').select((eb) => eb.fn.countAll<number>().as('n')).where('owner', '=', me).where('tokens', 'is not', null).executeTakeFirst(),
    db.selectFrom('owner_accounts').select((eb) => eb.fn.countAll<number>().as('n')).where('address', '=', me).executeTakeFirst(),
  ]);
  const activity = await getActivityLog(services).verify(me);
  return {
    vehicleDataKeys: n(keys), documents: n(docs), activityEntries: activity.entries, consentDocuments: n(consents),
    liveConnections: n(live), oemTokens: n(tokens), account: n(account),
  };
}

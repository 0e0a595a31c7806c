// A connector runtime without a chain, for tests and the bench: a real store, the real ingest pipeline
// and vault with an in-memory identity (devices registered as if minted), the real OEM clients pointed at
// an emulator. `connectAccount` stands in for onboarding (tokens from the emulator, vehicles listed over
// HTTP, connection rows active with made-up token ids). The end-to-end onboarding over the chain is in
// test/connectors/onboarding.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { silentLogger, type Logger } from '../core/logger.ts';
import { startIngestService, type IngestService } from '../ingest/ingest-service.ts';
import { MemoryIdentity, TEST_CHAIN_ID, TEST_VEHICLE_CONTRACT } from '../ingest/testing.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { OemHttp } from './http/oem-http.ts';
import type { TokenGrant } from './oem-types.ts';
import { ConnectorRuntime, type ConnectorRuntimeOptions } from './scheduling/connector-runtime.ts';
import { DeviceKeys } from './signing/device-keys.ts';
import { StatusEmitter } from './signing/status-emitter.ts';
import { DEFAULT_SMARTCAR_SCOPES, SmartcarApi } from './smartcar/smartcar-api.ts';
import { ConnectorStore, type Oem, type VehicleRow } from './store/connector-store.ts';
import { DEFAULT_TESLA_SCOPES, TeslaApi } from './tesla/tesla-api.ts';
import { ConnectorSealing } from './tokens/sealing.ts';

export const TEST_SYNTHETIC_CONTRACT = '0x4804e8D1661cd1a1e5dDdE1ff458A7f878c0aC6D';

export interface EmulatorEndpoints {
  tesla: { auth: string; na: string; eu: string };
  smartcar: { connect: string; auth: string; api: string };
}

export interface HarnessOptions {
  urls: EmulatorEndpoints;
  clock: Clock;
  /** Manual scheduling (tests): call `advance`/`runDue`. Default true. */
  manual?: boolean;
  cadence?: ConnectorRuntimeOptions['cadence'];
  concurrency?: number;
  random?: () => number;
  unitSystem?: 'metric' | 'imperial';
  logger?: Logger;
  verifyThreads?: number;
  maxInflight?: number;
  /** OEM request deadline. Default 15 s. */
  timeoutMs?: number;
  notifyReauth?: ConnectorRuntimeOptions['notifyReauth'];
}

export interface ConnectorHarness {
  dir: string;
  store: Store;
  connectors: ConnectorStore;
  ingest: IngestService;
  identity: MemoryIdentity;
  keys: DeviceKeys;
  sealing: ConnectorSealing;
  http: OemHttp;
  tesla: TeslaApi;
  smartcar: SmartcarApi;
  emitter: StatusEmitter;
  runtime: ConnectorRuntime;
  /** Sent documents (JSON text), newest last, when `capture` is on. */
  sent: string[];
  capture: boolean;
  /** Registers an account with these tokens and starts polling its vehicles at `at` (default now). */
  connectAccount(oem: Oem, tokens: { access_token: string; refresh_token?: string | null; expires_in: number }, opts?: { at?: number; owner?: string }): Promise<{ accountId: string; vehicles: VehicleRow[] }>;
  /** Moves the clock in steps, running what is due after each. */
  advance(ms: number, stepMs?: number): Promise<void>;
  close(): Promise<void>;
}

let nextToken = 1;

export async function startConnectorHarness(o: HarnessOptions): Promise<ConnectorHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-connectors-'));
  const logger = o.logger ?? silentLogger();
  const store = await openStore({ dataDir: dir, logger });
  const identity = new MemoryIdentity();
  const kek = randomBytes(32);
  const ingest = await startIngestService({
    store, kek, keyringFile: join(dir, 'keys', 'vault-keyring.json'), identity, clock: o.clock, logger, compactIntervalMs: 0, verifyThreads: o.verifyThreads ?? 1,
    ...(o.maxInflight ? { maxInflight: o.maxInflight } : {}),
    chain: { chainId: TEST_CHAIN_ID, vehicleContract: TEST_VEHICLE_CONTRACT.toLowerCase(), syntheticContract: TEST_SYNTHETIC_CONTRACT.toLowerCase() },
  });
  const connectors = new ConnectorStore(store.db);
  const sealing = new ConnectorSealing(kek);
  const keys = await DeviceKeys.open(store, sealing, o.clock);
  const http = new OemHttp({ maxSockets: 256, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
  const tesla = new TeslaApi(http, {
    clientId: 'opendimo-tesla-client', clientSecret: 'opendimo-tesla-secret', authUrl: o.urls.tesla.auth, apiUrls: { na: o.urls.tesla.na, eu: o.urls.tesla.eu },
    redirectUri: 'http://127.0.0.1:9/callback', scopes: DEFAULT_TESLA_SCOPES,
  });
  const smartcar = new SmartcarApi(http, {
    clientId: 'opendimo-smartcar-client', clientSecret: 'opendimo-smartcar-secret', connectUrl: o.urls.smartcar.connect, authUrl: o.urls.smartcar.auth, apiUrl: o.urls.smartcar.api,
    redirectUri: 'http://127.0.0.1:9/callback', scopes: DEFAULT_SMARTCAR_SCOPES, unitSystem: o.unitSystem ?? 'metric', mode: 'simulated',
  });
  const h = { sent: [] as string[], capture: false };
  const emitter = new StatusEmitter({
    keys, chainId: TEST_CHAIN_ID, vehicleContract: TEST_VEHICLE_CONTRACT, deviceContract: TEST_SYNTHETIC_CONTRACT, source: '0x1234567890123456789012345678901234567890',
    ingest: (docs) => {
      if (h.capture) for (const d of docs) h.sent.push(d.toString('utf8'));
      return ingest.pipeline.ingest(docs, { transport: 'http' });
    },
  });
  const runtime = new ConnectorRuntime({
    store: connectors, sealing, keys, clock: o.clock, logger, apis: { tesla, smartcar }, emitter, realTimers: o.manual === false,
    ...(o.cadence ? { cadence: o.cadence } : {}), ...(o.random ? { random: o.random } : {}), ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    startSpreadMs: 0,
    ...(o.notifyReauth ? { notifyReauth: o.notifyReauth } : {}),
  });

  const harness: ConnectorHarness = {
    dir, store, connectors, ingest, identity, keys, sealing, http, tesla, smartcar, emitter, runtime,
    get sent() {
      return h.sent;
    },
    get capture() {
      return h.capture;
    },
    set capture(v: boolean) {
      h.capture = v;
    },
    async connectAccount(oem, t, opts = {}) {
      const now = o.clock.now();
      const api = oem === 'tesla' ? tesla : smartcar;
      const grant: TokenGrant = { accessToken: t.access_token, refreshToken: t.refresh_token ?? null, expiresInS: t.expires_in, scopes: [] };
      const info = await api.account(grant.accessToken);
      const accountId = randomUUID();
      const sealed = runtime.tokens.sealInitial(accountId, grant, now);
      const owner = (opts.owner ?? '0x' + randomBytes(20).toString('hex')).toLowerCase();
      await connectors.insertAccount({
        account_id: accountId, oem, owner, oem_user_hash: sealing.userHash(oem, info.userId), region: info.region ?? null, state: 'active', state_reason: null,
        token_key: sealed.tokenKey, tokens: sealed.tokens, token_version: sealed.version, access_issued_at: sealed.issuedAt, access_expires_at: sealed.expiresAt,
        scopes: '', created_at: now, updated_at: now,
      });
      const rows: VehicleRow[] = [];
      for (const v of await api.vehicles(grant.accessToken, info)) {
        const n = nextToken++;
        const path = DeviceKeys.pathFor(owner, oem, v.oemVehicleId, 0);
        const address = keys.address(path).toLowerCase();
        const row: VehicleRow = {
          connection_id: randomUUID(), account_id: accountId, oem, owner, oem_vehicle_id: v.oemVehicleId, make: v.make, model: v.model, year: v.year,
          vin_hash: sealing.vinHash(v.vin), device_path: path, device_address: address, vehicle_token_id: String(n), device_token_id: String(n),
          state: 'active', state_reason: null, dropped_paths: '[]', last_emitted: '{}', poll_state: 'unknown', last_data_at: null, created_at: now, updated_at: now,
        };
        await connectors.insertVehicle(row);
        identity.devices.set(address, { kind: 'synthetic', tokenId: BigInt(n), vehicleId: BigInt(n) });
        identity.vehicles.set(BigInt(n), { tokenId: BigInt(n), owner, version: 1 });
        await runtime.add(row, opts.at ?? now);
        rows.push(row);
      }
      return { accountId, vehicles: rows };
    },
    async advance(ms, stepMs = 10_000) {
      const clock = o.clock as Clock & { advance?: (ms: number) => void };
      if (!clock.advance) throw new Error('advance needs a ManualClock');
      for (let left = ms; left > 0; left -= stepMs) {
        clock.advance(Math.min(stepMs, left));
        await runtime.runDue();
      }
    },
    async close() {
      await runtime.stop();
      http.close();
      await ingest.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

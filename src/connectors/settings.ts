// Which OEM APIs this node talks to, with which OAuth clients. Production: every value from the config
// (OPENDIMO_TESLA_* / OPENDIMO_SMARTCAR_*; an OEM without a client id is simply not offered). Dev mode:
// anything left unset comes from the embedded emulator (found through its health check, which names
// its control plane; the control plane lists the URLs and OAuth clients).
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.ts';
import type { NodeServices } from '../node/start-node.ts';
import { DEFAULT_SMARTCAR_SCOPES, type SmartcarSettings } from './smartcar/smartcar-api.ts';
import { DEFAULT_TESLA_SCOPES, type TeslaSettings } from './tesla/tesla-api.ts';

export interface ConnectorSettings {
  tesla?: TeslaSettings;
  smartcar?: SmartcarSettings;
  polling: boolean;
  concurrency: number;
}

interface EmulatorInfo {
  urls: { tesla: { auth: string; na: string; eu: string }; smartcar: { connect: string; auth: string; api: string } };
  clients: Array<{ oem: string; clientId: string; clientSecret: string }>;
}

export const PRODUCTION_URLS = {
  tesla: { auth: 'https://auth.tesla.com', na: 'https://fleet-api.prd.na.vn.cloud.tesla.com', eu: 'https://fleet-api.prd.eu.vn.cloud.tesla.com' },
  smartcar: { connect: 'https://connect.smartcar.com', auth: 'https://auth.smartcar.com', api: 'https://api.smartcar.com' },
};

export async function resolveSettings(services: NodeServices, logger: Logger): Promise<ConnectorSettings> {
  const c = services.config.connectors ?? {};
  const emu = services.config.mode === 'dev' ? await findEmulator(services, logger) : undefined;
  const port = (services.http.server.address() as AddressInfo | null)?.port ?? services.config.http.port;
  const host = services.config.http.host.includes(':') ? `[${services.config.http.host}]` : services.config.http.host;
  // Where the owner's browser lands after the OEM login: the dashboard's page, which hands code and
  // state to GET /v1/connections/{oem}/callback with the owner's token.
  const redirect = (oem: string) => c.redirectUri?.replace('{oem}', oem) ?? `http://${host}:${port}/connect/${oem}/callback`;

  const out: ConnectorSettings = { polling: c.polling ?? true, concurrency: c.concurrency ?? 256 };
  const t = c.tesla ?? {};
  const teslaClient = emu?.clients.find((x) => x.oem === 'tesla');
  const teslaId = t.clientId ?? teslaClient?.clientId;
  const teslaSecret = t.clientSecret ?? teslaClient?.clientSecret;
  if (teslaId && teslaSecret) {
    const urls = emu?.urls.tesla ?? PRODUCTION_URLS.tesla;
    out.tesla = {
      clientId: teslaId, clientSecret: teslaSecret,
      authUrl: t.authUrl ?? urls.auth, apiUrls: { na: t.apiUrlNa ?? urls.na, eu: t.apiUrlEu ?? urls.eu },
      redirectUri: t.redirectUri ?? redirect('tesla'), scopes: t.scopes ?? DEFAULT_TESLA_SCOPES,
    };
  }
  const s = c.smartcar ?? {};
  const scClient = emu?.clients.find((x) => x.oem === 'smartcar');
  const scId = s.clientId ?? scClient?.clientId;
  const scSecret = s.clientSecret ?? scClient?.clientSecret;
  if (scId && scSecret) {
    const urls = emu?.urls.smartcar ?? PRODUCTION_URLS.smartcar;
    out.smartcar = {
      clientId: scId, clientSecret: scSecret,
      connectUrl: s.connectUrl ?? urls.connect, authUrl: s.authUrl ?? urls.auth, apiUrl: s.apiUrl ?? urls.api,
      redirectUri: s.redirectUri ?? redirect('smartcar'), scopes: s.scopes ?? DEFAULT_SMARTCAR_SCOPES,
      unitSystem: s.unitSystem ?? 'metric', mode: s.mode ?? (emu ? 'simulated' : 'live'),
    };
  }
  return out;
}

/** The embedded emulator's URLs and clients, when this dev node runs one. */
async function findEmulator(services: NodeServices, logger: Logger): Promise<EmulatorInfo | undefined> {
  try {
    const report = await services.health.report(1500);
    const detail = report.checks.emulator?.detail ?? '';
    const control = /(https?:\/\/\S+?)\/_emulator/.exec(detail)?.[1];
    if (!control) return undefined;
    const res = await fetch(`${control}/_emulator`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    return (await res.json()) as EmulatorInfo;
  } catch (err) {
    logger.warn({ err }, 'could not reach the embedded OEM emulator; OEMs without configuration are not offered');
    return undefined;
  }
}

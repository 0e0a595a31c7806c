// DIMO's own client, @dimo-network/data-sdk 1.6.0, against this node with only its environment URLs
// (and the vehicle contract constant) pointed here: a license API key signs in (getDeveloperJwt), the SDK
// finds the owner's grant through the identity GraphQL and exchanges a vehicle token (getVehicleJwt),
// and telemetry queries (custom and getLatestSignals) return the stored data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as sdk from '@dimo-network/data-sdk';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { REDIRECT, startAppNode, type AppNode } from './support/app-node.ts';

// The SDK's type declarations use extensionless imports that NodeNext resolution does not follow; these
// are the parts of its API this test uses.
type Auth = { headers: { Authorization: string } };
interface Dimo {
  auth: { getDeveloperJwt(p: { client_id: string; domain: string; private_key: string }): Promise<Auth> };
  tokenexchange: { getVehicleJwt(p: Auth & { tokenId: number }): Promise<Auth> };
  telemetry: { query(p: Auth & { query: string }): Promise<any>; getLatestSignals(p: Auth & { tokenId: number }): Promise<any> };
}
const { DIMO, DimoConstants, DimoEnvironment } = sdk as unknown as {
  DIMO: new (env: 'Production' | 'Dev') => Dimo;
  DimoConstants: Record<string, Record<string, string>>;
  DimoEnvironment: Record<string, Record<string, string>>;
};

let n: AppNode;
let vid: bigint;
let apiKey: `0x${string}`;
let T: number;

before(async () => {
  n = await startAppNode();
  const { app, alice } = n.chain.actors;
  const lic = await n.appLicense(app);
  // An API key whose private key the developer holds, as the SDK's `private_key`.
  apiKey = generatePrivateKey();
  await n.chain.write(app, 'LicenseSigners', 'enableSigner', [lic.licenseId, privateKeyToAccount(apiKey).address, (await n.chain.now()) + 86_400n]);
  vid = await n.mintVehicle(alice);
  await n.chain.grant(alice, vid, app.address, [1, 4]);
  await n.mirrored();
  T = Math.floor(n.clock.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
  await n.store(vid, [
    { time: T, samples: [['speed', T, 30], ['powertrainType', T, 'BEV'], ['exteriorAirTemperature', T, 12.5], ['powertrainTransmissionTravelledDistance', T, 4321]] },
    { time: T + 600_000, samples: [['speed', T + 600_000, 60]] },
    { time: T + 1_200_000, samples: [['speed', T + 1_200_000, 90]], points: [[T + 1_200_000, 45.0, 7.0]] },
  ]);

  for (const env of [DimoEnvironment.Production!, DimoEnvironment.Dev!]) {
    env.Auth = n.baseUrl;
    env.TokenExchange = n.baseUrl;
    env.Identity = `${n.baseUrl}/identity/query`;
    env.Telemetry = `${n.baseUrl}/query`;
  }
  DimoConstants.Production!.NFT_address = n.chain.contracts.VehicleId!;
  DimoConstants.Production!.RPC_provider = n.chain.rpcUrl;
});
after(() => n?.stop());

describe('@dimo-network/data-sdk 1.6.0 against this node', () => {
  it('authenticates with a license API key, exchanges a vehicle token and reads telemetry', async () => {
    const dimo = new DIMO('Production');
    const developerJwt = await dimo.auth.getDeveloperJwt({ client_id: n.chain.actors.app.address, domain: REDIRECT, private_key: apiKey.slice(2) });
    assert.match(developerJwt.headers.Authorization, /^Bearer ey/);

    const vehicleJwt = await dimo.tokenexchange.getVehicleJwt({ ...developerJwt, tokenId: Number(vid) });
    assert.match(vehicleJwt.headers.Authorization, /^Bearer ey/);

    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const result = await dimo.telemetry.query({
      ...vehicleJwt,
      query: `{
        signalsLatest(tokenId: ${vid}) { speed { timestamp value } powertrainType { value } currentLocationCoordinates { value { latitude longitude } } }
        signals(tokenId: ${vid}, interval: "1h", from: "${iso(T)}", to: "${iso(T + 3_600_000)}") { timestamp avg: speed(agg: AVG) max: speed(agg: MAX) med: speed(agg: MED) }
        availableSignals(tokenId: ${vid})
      }`,
    });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.deepEqual(result.data.signalsLatest, {
      speed: { timestamp: iso(T + 1_200_000), value: 90 },
      powertrainType: { value: 'BEV' },
      currentLocationCoordinates: { value: { latitude: 45, longitude: 7 } },
    });
    assert.deepEqual(result.data.signals, [{ timestamp: iso(T), avg: 60, max: 90, med: 60 }]);
    assert.ok(result.data.availableSignals.includes('speed'));

    const latest = await dimo.telemetry.getLatestSignals({ ...vehicleJwt, tokenId: Number(vid) });
    assert.equal(latest.errors, undefined, JSON.stringify(latest.errors));
    assert.deepEqual(latest.data.SignalsLatest, {
      powertrainTransmissionTravelledDistance: { timestamp: iso(T), value: 4321 },
      exteriorAirTemperature: { timestamp: iso(T), value: 12.5 },
      speed: { timestamp: iso(T + 1_200_000), value: 90 },
      powertrainType: { timestamp: iso(T), value: 'BEV' },
    });
  });
});

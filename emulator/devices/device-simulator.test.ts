import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startTestEmulator } from '../testing.ts';
import { emulatedVehicle, startDeviceSimulator } from './device-simulator.ts';
import { rawJsonField, recoverDataSigner, signDataBytes } from './signature.ts';

const VEHICLE_CONTRACT = '0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF';
const DEVICE_CONTRACT = '0x9c94C395cBcBDe662235E0A9d3bB87Ad708561BA';

test('recovers DIMO\'s own signature vector (keccak256 of the data bytes, v = 28)', async () => {
  const signer = await recoverDataSigner('{"timestamp":1709656316768}', '0xed107d9e947ce3208f2a349fe9de841295252ed3157a6a6c3725c5b2fd47ccaf1407ba498f09a872ce409d3434162512f7d0b08fbc0561f407015b39953bb6d61c');
  assert.equal(signer, '0x318F53cC0775fdfcb95A378Fd3228Dc564A28c61');
  const key = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
  const sig = await signDataBytes(key, 'hello');
  assert.match(sig, /^0x[0-9a-f]{128}(1b|1c)$/);
});

test('rawJsonField returns the exact bytes of a top-level field', () => {
  const json = '{"a":{"data":1},"s":"x\\"}","data":{ "signals" : [ {"v": "}" } ] } ,"z":2}';
  assert.equal(rawJsonField(json, 'data'), '{ "signals" : [ {"v": "}" } ] }');
  assert.equal(rawJsonField(json, 'z'), '2');
  assert.equal(rawJsonField(json, 'missing'), undefined);
});

test('a device publishes signed dimo.status CloudEvents over MQTT from its vehicle\'s simulated state', async (t) => {
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  t.after(() => broker.stop());
  const emu = await startTestEmulator({ fleet: { tesla: 0, smartcar: 2 } });
  t.after(() => emu.stop());
  const vehicle = emu.state.fleet.vehicles[0]!;
  const device = await startDeviceSimulator({
    brokerUrl: broker.url, chainId: 137, vehicleContract: VEHICLE_CONTRACT, vehicleTokenId: 4242,
    deviceContract: DEVICE_CONTRACT, deviceTokenId: 77, ...emulatedVehicle(emu.state, vehicle.key),
  });
  t.after(() => device.stop());
  assert.equal(device.topic, `devices/${device.address}/status`);

  const sub = await connectAsync(broker.url);
  t.after(() => sub.endAsync());
  const received = new Promise<string>((resolve) => sub.on('message', (_topic, payload) => resolve(payload.toString('utf8'))));
  await sub.subscribeAsync('devices/+/status', { qos: 1 });
  const built = await device.publishOnce();
  const message = await received;
  assert.equal(message, built.payload);

  const event = JSON.parse(message);
  assert.equal(event.specversion, '1.0');
  assert.equal(event.type, 'dimo.status');
  assert.equal(event.subject, `did:erc721:137:${VEHICLE_CONTRACT}:4242`);
  assert.equal(event.producer, `did:erc721:137:${DEVICE_CONTRACT}:77`);
  assert.equal(event.datacontenttype, 'application/json');
  assert.equal(event.dataversion, 'default/v1.0');
  assert.equal(event.time, new Date(emu.state.now()).toISOString());
  assert.match(event.id, /^[0-9a-f-]{36}$/);
  const raw = rawJsonField(message, 'data')!;
  assert.equal(await recoverDataSigner(raw, event.signature), device.address);

  const truth = emu.state.snapshot(vehicle);
  const signals = Object.fromEntries(event.data.signals.map((s: { name: string; value: number }) => [s.name, s.value]));
  assert.equal(signals.powertrainTransmissionTravelledDistance, Math.round(truth.odometerKm * 100) / 100);
  assert.equal(signals.currentLocationLatitude, Math.round(truth.latitude * 1e6) / 1e6);
  assert.equal(signals.speed, Math.round(truth.speedKph * 10) / 10);
  for (const s of event.data.signals) assert.equal(s.timestamp, event.time);

  // A tampered payload no longer recovers to the device.
  assert.notEqual(await recoverDataSigner(raw.replace(/"speed","timestamp":"[^"]+","value":[\d.]+/, '"speed","timestamp":"x","value":999'), event.signature), device.address);
  // Without a device NFT the producer is the device's did:ethr.
  const bare = await startDeviceSimulator({ brokerUrl: broker.url, chainId: 137, vehicleContract: VEHICLE_CONTRACT, vehicleTokenId: 1, ...emulatedVehicle(emu.state, vehicle.key) });
  t.after(() => bare.stop());
  assert.equal(bare.address, device.address, 'the key is derived from seed and vehicle');
  assert.equal(JSON.parse((await bare.publishOnce()).payload).producer, `did:ethr:137:${bare.address}`);
});

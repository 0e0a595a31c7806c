// Helpers for tests, benchmarks and the emulator that need signed DIMO events and a device registry
// without a chain: deterministic device keys, an in-memory IdentityLookup, and CloudEvent signing the
// way devices do it (65-byte secp256k1 signature over keccak256 of the exact data bytes).
import { createHash } from 'node:crypto';
import type { DeviceIdentity, IdentityLookup, VehicleIdentity } from '../identity/identity-lookup.ts';
import { createKeccak } from './verify/keccak-wasm.ts';
import { secp256k1 } from './verify/recover.ts';

export const TEST_CHAIN_ID = 31337;
export const TEST_VEHICLE_CONTRACT = '0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF';
export const TEST_AFTERMARKET_CONTRACT = '0x9c94C395cBcBDe662235E0A9d3bB87Ad708561BA';

const keccak = createKeccak();

export interface TestDevice {
  privateKey: Buffer;
  /** Lowercase 0x address. */
  address: string;
  deviceTokenId: bigint;
  vehicleTokenId: bigint;
  owner: string;
}

/** The private key of device `n` of a seeded fleet. */
export function deviceKey(seed: string, n: number): Buffer {
  let privateKey = createHash('sha256').update(`${seed}/${n}`).digest();
  while (!isValidKey(privateKey)) privateKey = createHash('sha256').update(privateKey).digest();
  return privateKey;
}

/** A device derived from a seed, so a child process can rebuild the same fleet. */
export function makeDevice(seed: string, n: number): TestDevice {
  const privateKey = deviceKey(seed, n);
  const pub = secp256k1.publicKeyCreate(privateKey, false);
  const address = '0x' + keccak.hash(pub.subarray(1)).subarray(12).toString('hex');
  return { privateKey, address, deviceTokenId: BigInt(n + 1), vehicleTokenId: BigInt(n + 1), owner: '0x' + createHash('sha256').update(`owner/${seed}/${n}`).digest('hex').slice(0, 40) };
}

function isValidKey(k: Buffer): boolean {
  return k.some((b) => b !== 0) && Buffer.compare(k, Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex')) < 0;
}

/** An IdentityLookup over a fixed set of devices; devices can be unpaired to test that rule. */
export class MemoryIdentity implements IdentityLookup {
  readonly devices = new Map<string, DeviceIdentity>();
  readonly vehicles = new Map<bigint, VehicleIdentity>();

  add(d: TestDevice, opts: { paired?: boolean; kind?: 'aftermarket' | 'synthetic' } = {}): void {
    this.devices.set(d.address, { kind: opts.kind ?? 'aftermarket', tokenId: d.deviceTokenId, vehicleId: opts.paired === false ? undefined : d.vehicleTokenId });
    this.vehicles.set(d.vehicleTokenId, { tokenId: d.vehicleTokenId, owner: d.owner, version: 1 });
  }

  deviceByAddress(address: string): DeviceIdentity | undefined {
    return this.devices.get(address.toLowerCase());
  }

  vehicle(tokenId: bigint): VehicleIdentity | undefined {
    return this.vehicles.get(tokenId);
  }

  deviceByToken(kind: 'synthetic' | 'aftermarket', tokenId: bigint): { address: string } | undefined {
    for (const [address, d] of this.devices) if (d.kind === kind && d.tokenId === tokenId) return { address };
    return undefined;
  }
}

export function vehicleDid(tokenId: bigint): string {
  return `did:erc721:${TEST_CHAIN_ID}:${TEST_VEHICLE_CONTRACT}:${tokenId}`;
}

export function deviceDid(tokenId: bigint): string {
  return `did:erc721:${TEST_CHAIN_ID}:${TEST_AFTERMARKET_CONTRACT}:${tokenId}`;
}

/** Signs the exact bytes of `dataJson`: 0x ‖ r ‖ s ‖ v (27/28). */
export function signData(privateKey: Buffer, dataJson: string): string {
  const s = secp256k1.ecdsaSign(keccak.hash(Buffer.from(dataJson)), privateKey);
  return '0x' + Buffer.from(s.signature).toString('hex') + (27 + s.recid).toString(16);
}

export interface EventOptions {
  id: string;
  time: string;
  type?: string;
  /** The data object, or its exact JSON text. */
  data: unknown;
  subject?: string;
  producer?: string;
  source?: string;
  extra?: Record<string, unknown>;
}

/** A signed CloudEvent as JSON text (data embedded byte for byte as signed). */
export function signedEvent(device: TestDevice, o: EventOptions): string {
  const data = typeof o.data === 'string' ? o.data : JSON.stringify(o.data);
  const header = {
    specversion: '1.0',
    type: o.type ?? 'dimo.status',
    source: o.source ?? '0x1234567890123456789012345678901234567890',
    subject: o.subject ?? vehicleDid(device.vehicleTokenId),
    producer: o.producer ?? deviceDid(device.deviceTokenId),
    id: o.id,
    time: o.time,
    datacontenttype: 'application/json',
    dataversion: 'default/v1.0',
    ...o.extra,
    signature: signData(device.privateKey, data),
  };
  return JSON.stringify(header).slice(0, -1) + `,"data":${data}}`;
}

/** Names of 20 numeric signals used by status events in tests and the bench (18 plain + lat/lng). */
export const TWENTY_SIGNALS = [
  'speed', 'powertrainTransmissionTravelledDistance', 'powertrainTractionBatteryStateOfChargeCurrent', 'exteriorAirTemperature',
  'lowVoltageBatteryCurrentVoltage', 'powertrainCombustionEngineSpeed', 'powertrainCombustionEngineECT', 'obdEngineLoad',
  'obdIntakeTemp', 'obdBarometricPressure', 'powertrainFuelSystemRelativeLevel', 'powertrainRange',
  'chassisAxleRow1WheelLeftTirePressure', 'chassisAxleRow1WheelRightTirePressure', 'chassisAxleRow2WheelLeftTirePressure',
  'chassisAxleRow2WheelRightTirePressure', 'isIgnitionOn', 'dimoAftermarketNSAT',
] as const;

/** A 20-signal status payload (18 plain signals + a latitude/longitude pair) at `time`. */
export function twentySignals(time: string, seed: number, location: [number, number] = [52.52 + (seed % 100) / 1000, 13.405]): { signals: Array<{ name: string; timestamp: string; value: number }> } {
  const signals: Array<{ name: string; timestamp: string; value: number }> = TWENTY_SIGNALS.map((name, i) => ({ name, timestamp: time, value: name === 'isIgnitionOn' ? 1 : name === 'dimoAftermarketNSAT' ? 7 + (seed % 5) : Math.round(((seed * 7 + i * 13) % 90) * 10 + 1) / 10 }));
  signals.push({ name: 'currentLocationLatitude', timestamp: time, value: location[0] }, { name: 'currentLocationLongitude', timestamp: time, value: location[1] });
  return { signals };
}

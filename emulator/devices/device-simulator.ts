// An aftermarket device: holds a secp256k1 key and publishes signed `dimo.status` events about its
// vehicle over MQTT to `devices/<address>/status`, read from the fleet simulator at the emulator's
// time. `publishOnce()` for tests; `start()` publishes every `intervalMs` of real time.
import { connectAsync, type MqttClient } from 'mqtt';
import { type Hex, keccak256, toBytes } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import type { Clock } from '../../src/core/clock.ts';
import { OdmError } from '../../src/core/errors.ts';
import type { Logger } from '../../src/core/logger.ts';
import type { VehicleSnapshot } from '../fleet/snapshot.ts';
import type { EmulatorState } from '../state.ts';
import { type BuiltEvent, buildStatusEvent, type StatusIdentity } from './status-event.ts';

export interface DeviceSimulatorOptions extends Omit<StatusIdentity, 'deviceAddress'> {
  brokerUrl: string;
  /** The device key; default derived from `keySeed`. */
  privateKey?: Hex;
  /** Derives a stable key when none is given (e.g. `<seed>:<vehicle key>`). */
  keySeed?: string;
  /** Reads the vehicle's truth at a time. */
  snapshot(t: number): VehicleSnapshot;
  clock: Clock;
  intervalMs?: number;
  logger?: Logger;
}

export interface DeviceSimulator {
  address: Hex;
  topic: string;
  publishOnce(): Promise<BuiltEvent>;
  start(): void;
  stop(): Promise<void>;
}

/** A stable private key from a label (keccak256 of it; a valid secp256k1 scalar in practice). */
export function deviceKeyFrom(label: string): Hex {
  return keccak256(toBytes(`opendimo-device:${label}`));
}

export async function startDeviceSimulator(options: DeviceSimulatorOptions): Promise<DeviceSimulator> {
  const privateKey = options.privateKey ?? (options.keySeed ? deviceKeyFrom(options.keySeed) : undefined);
  if (!privateKey) throw new OdmError('ODM_ERR_VALIDATION', 'a device simulator needs privateKey or keySeed');
  const address = privateKeyToAddress(privateKey);
  const topic = `devices/${address}/status`;
  let client: MqttClient;
  try {
    client = await connectAsync(options.brokerUrl, { clientId: `opendimo-device-${address.slice(2, 14)}`, reconnectPeriod: 1000, connectTimeout: 5000 });
  } catch (err) {
    throw new OdmError('ODM_ERR_MQTT_UNAVAILABLE', `device ${address} cannot reach ${options.brokerUrl}`, { cause: err });
  }
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  const publishOnce = async (): Promise<BuiltEvent> => {
    const built = await buildStatusEvent({ ...options, deviceAddress: address }, options.snapshot(options.clock.now()), privateKey, ++seq);
    await client.publishAsync(topic, built.payload, { qos: 1 });
    return built;
  };
  return {
    address,
    topic,
    publishOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        publishOnce().catch((err: unknown) => options.logger?.warn({ err, device: address }, 'device publish failed'));
      }, options.intervalMs ?? 10_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await client.endAsync();
    },
  };
}

/** Wires a device to one vehicle of a running emulator. */
export function emulatedVehicle(state: EmulatorState, vehicle: string): Pick<DeviceSimulatorOptions, 'snapshot' | 'clock' | 'keySeed'> {
  const v = state.fleet.vehicle(vehicle);
  if (!v) throw new OdmError('ODM_ERR_NOT_FOUND', `no emulated vehicle ${vehicle}`);
  return { snapshot: (t) => state.snapshot(v, t), clock: state.clock, keySeed: `${state.seed}:${v.key}` };
}

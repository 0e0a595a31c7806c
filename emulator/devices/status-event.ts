// A DIMO `dimo.status` CloudEvent (specversion 1.0) built from the simulator's truth: VSS-named
// signals in DIMO's units, signed by the device key over the exact `data` bytes, which are written
// into the envelope verbatim.
import type { Hex } from 'viem';
import { createRng, randomUuid } from '../core/rng.ts';
import { round } from '../core/units.ts';
import type { VehicleSnapshot } from '../fleet/snapshot.ts';
import { signDataBytes } from './signature.ts';

export interface Signal {
  name: string;
  timestamp: string;
  value: number | string;
}

export interface StatusIdentity {
  chainId: number;
  vehicleContract: string;
  vehicleTokenId: number | bigint;
  /** The aftermarket device NFT; without it the producer is did:ethr:<chainId>:<address>. */
  deviceContract?: string;
  deviceTokenId?: number | bigint;
  deviceAddress: string;
  /** CloudEvents `source`; default the device address. */
  source?: string;
}

export interface StatusEvent {
  specversion: '1.0';
  type: 'dimo.status';
  source: string;
  subject: string;
  producer: string;
  id: string;
  time: string;
  datacontenttype: 'application/json';
  dataversion: string;
  signature: Hex;
  data: { signals: Signal[] };
}

export const STATUS_DATAVERSION = 'default/v1.0';

/** The signals a typical aftermarket device reports, from a snapshot. */
export function signalsFrom(s: VehicleSnapshot): Signal[] {
  const ts = new Date(s.at).toISOString();
  const sig = (name: string, value: number): Signal => ({ name, timestamp: ts, value });
  const out: Signal[] = [
    sig('speed', round(s.speedKph, 1)),
    sig('powertrainTransmissionTravelledDistance', round(s.odometerKm, 2)),
    sig('currentLocationLatitude', round(s.latitude, 6)),
    sig('currentLocationLongitude', round(s.longitude, 6)),
    sig('currentLocationHeading', s.headingDeg),
    sig('isIgnitionOn', s.activity === 'driving' ? 1 : 0),
    sig('exteriorAirTemperature', round(s.outsideTempC, 1)),
    sig('powertrainRange', round(s.rangeKm, 1)),
    sig('chassisAxleRow1WheelLeftTirePressure', round(s.tiresKpa[0], 1)),
    sig('chassisAxleRow1WheelRightTirePressure', round(s.tiresKpa[1], 1)),
    sig('chassisAxleRow2WheelLeftTirePressure', round(s.tiresKpa[2], 1)),
    sig('chassisAxleRow2WheelRightTirePressure', round(s.tiresKpa[3], 1)),
  ];
  if (s.powertrain === 'bev') {
    out.push(
      sig('powertrainTractionBatteryStateOfChargeCurrent', round(s.energyPct, 1)),
      sig('powertrainTractionBatteryChargingIsCharging', s.chargingState === 'Charging' ? 1 : 0),
      sig('powertrainTractionBatteryChargingIsChargingCableConnected', s.plugged ? 1 : 0),
      sig('powertrainTractionBatteryCurrentPower', Math.round(s.powerKw * 1000)),
    );
  } else {
    out.push(sig('powertrainFuelSystemRelativeLevel', round(s.energyPct, 1)), sig('powertrainFuelSystemAbsoluteLevel', round(s.energy, 2)));
  }
  return out;
}

export interface BuiltEvent {
  event: StatusEvent;
  /** The exact bytes of `data` the signature covers. */
  dataJson: string;
  /** The whole envelope as published. */
  payload: string;
}

export async function buildStatusEvent(identity: StatusIdentity, snapshot: VehicleSnapshot, privateKey: Hex, seq: number): Promise<BuiltEvent> {
  const data = { signals: signalsFrom(snapshot) };
  const dataJson = JSON.stringify(data);
  const signature = await signDataBytes(privateKey, dataJson);
  const address = identity.deviceAddress;
  const producer = identity.deviceContract !== undefined && identity.deviceTokenId !== undefined
    ? `did:erc721:${identity.chainId}:${identity.deviceContract}:${identity.deviceTokenId}`
    : `did:ethr:${identity.chainId}:${address}`;
  const head = {
    specversion: '1.0' as const,
    type: 'dimo.status' as const,
    source: identity.source ?? address,
    subject: `did:erc721:${identity.chainId}:${identity.vehicleContract}:${identity.vehicleTokenId}`,
    producer,
    id: randomUuid(createRng(address.toLowerCase(), 'event', seq)),
    time: new Date(snapshot.at).toISOString(),
    datacontenttype: 'application/json' as const,
    dataversion: STATUS_DATAVERSION,
    signature,
  };
  // The envelope carries `data` as the very bytes that were signed.
  const payload = `${JSON.stringify(head).slice(0, -1)},"data":${dataJson}}`;
  return { event: { ...head, data }, dataJson, payload };
}

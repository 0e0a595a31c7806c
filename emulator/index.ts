// The OEM emulator's public surface: start it, drive it (see README.md), simulate devices.
export { startEmulator, SERVER_NAMES, type Emulator, type EmulatorOptions, type ServerName } from './emulator.ts';
export { DEFAULT_CLIENTS, type EmulatorState, type EmulatorUrls, type OAuthClient } from './state.ts';
export type { FaultSpec, Fault } from './server/faults.ts';
export type { CallRecord, BillingReport, BillingCategory } from './server/call-log.ts';
export { POLICIES as TOKEN_POLICIES } from './server/tokens.ts';
export { DEFAULT_RATE_LIMITS, type RateLimitTable } from './server/rate-limits.ts';
export type { VehicleSnapshot } from './fleet/snapshot.ts';
export type { Account, VehicleProfile } from './fleet/fleet.ts';
export type { Connectivity } from './fleet/connectivity.ts';
export * as units from './core/units.ts';
export { isValidVin } from './core/vin.ts';
export { startDeviceSimulator, emulatedVehicle, deviceKeyFrom, type DeviceSimulator, type DeviceSimulatorOptions } from './devices/device-simulator.ts';
export { buildStatusEvent, signalsFrom, type StatusEvent, type Signal } from './devices/status-event.ts';
export { signDataBytes, recoverDataSigner, rawJsonField } from './devices/signature.ts';

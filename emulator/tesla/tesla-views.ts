// Tesla Fleet API bodies rendered from the simulator's truth, in Tesla's native units: miles, mph,
// bar for tire pressure, °C, kW. Field names and shapes follow Fleet API's vehicle endpoints; fields
// the simulator has no model for carry Tesla's usual idle values.
import { createRng, randomHex } from '../core/rng.ts';
import { kmToMiles, kphToMph, kpaToBar, PRECISION, round } from '../core/units.ts';
import type { Connectivity } from '../fleet/connectivity.ts';
import type { VehicleProfile } from '../fleet/fleet.ts';
import type { VehicleSnapshot } from '../fleet/snapshot.ts';

const P = PRECISION.tesla;
export const API_VERSION = 81;

/** The endpoints vehicle_data answers when none are asked for (location needs `location_data`). */
export const DEFAULT_ENDPOINTS = ['charge_state', 'climate_state', 'drive_state', 'gui_settings', 'vehicle_config', 'vehicle_state'];
export const KNOWN_ENDPOINTS = new Set([...DEFAULT_ENDPOINTS, 'location_data', 'closures_state', 'charge_schedule_data', 'preconditioning_schedule_data']);

export function teslaVehicleSummary(seed: string, v: VehicleProfile, state: Connectivity): Record<string, unknown> {
  const rng = createRng(seed, 'tesla-vehicle-tokens', v.key);
  return {
    id: Number(v.oemId),
    vehicle_id: v.teslaVehicleId,
    vin: v.vin,
    color: null,
    access_type: 'OWNER',
    display_name: v.displayName,
    option_codes: null,
    granular_access: { hide_private: false },
    tokens: [randomHex(rng, 8), randomHex(rng, 8)],
    state,
    in_service: false,
    id_s: v.oemId,
    calendar_enabled: true,
    api_version: API_VERSION,
    backseat_token: null,
    backseat_token_updated_at: null,
  };
}

export interface VehicleDataInput {
  seed: string;
  vehicle: VehicleProfile;
  snap: VehicleSnapshot;
  endpoints: Set<string>;
  /** The token has `vehicle_location`; without it location fields are left out. */
  locationAllowed: boolean;
  locked: boolean;
  now: number;
}

export function teslaVehicleData(input: VehicleDataInput): Record<string, unknown> {
  const { vehicle: v, snap: s, endpoints, now } = input;
  const body: Record<string, unknown> = teslaVehicleSummary(input.seed, v, 'online');
  body.user_id = 0;
  if (endpoints.has('charge_state')) body.charge_state = chargeState(v, s, now);
  if (endpoints.has('climate_state')) body.climate_state = climateState(s, now);
  if (endpoints.has('drive_state') || endpoints.has('location_data')) {
    body.drive_state = driveState(s, now, endpoints.has('location_data') && input.locationAllowed);
  }
  if (endpoints.has('gui_settings')) body.gui_settings = guiSettings(v, now);
  if (endpoints.has('vehicle_config')) body.vehicle_config = vehicleConfig(v, now);
  if (endpoints.has('vehicle_state')) body.vehicle_state = vehicleState(v, s, input.locked, now);
  return body;
}

function chargeState(v: VehicleProfile, s: VehicleSnapshot, now: number): Record<string, unknown> {
  const charging = s.chargingState === 'Charging';
  const level = Math.floor(s.energyPct);
  const ratedMi = round(kmToMiles(s.rangeKm), P.rangeMi);
  return {
    battery_heater_on: false,
    battery_level: level,
    battery_range: ratedMi,
    charge_amps: charging ? Math.round(s.chargerAmps) : 0,
    charge_current_request: s.chargeKind === 'ac' ? Math.round((v.acKw * 1000) / v.city.acVolts) : 32,
    charge_current_request_max: 48,
    charge_enable_request: true,
    charge_energy_added: round(Math.max(0, s.chargeEnergyAdded), P.energyKwh),
    charge_limit_soc: s.chargeLimitPct,
    charge_limit_soc_max: 100,
    charge_limit_soc_min: 50,
    charge_limit_soc_std: 80,
    charge_miles_added_ideal: round(kmToMiles(Math.max(0, s.chargeEnergyAdded) / (v.spec.kwhPerKm! * 1.05)), 1),
    charge_miles_added_rated: round(kmToMiles(Math.max(0, s.chargeEnergyAdded) / (v.spec.kwhPerKm! * 1.1)), 1),
    charge_port_cold_weather_mode: false,
    charge_port_door_open: s.plugged,
    charge_port_latch: s.plugged ? 'Engaged' : 'Disengaged',
    charge_rate: round(kmToMiles(s.chargeRateKph), 1),
    charger_actual_current: charging ? Math.round(s.chargerAmps) : 0,
    charger_phases: charging && s.chargeKind === 'ac' ? (v.region === 'eu' ? 3 : 1) : null,
    charger_pilot_current: s.plugged ? 48 : 0,
    charger_power: charging ? Math.round(s.chargerPowerKw) : 0,
    charger_voltage: charging ? Math.round(s.chargerVolts) : 0,
    charging_state: s.chargingState,
    conn_charge_cable: s.plugged ? (v.region === 'eu' ? 'IEC' : 'SAE') : '<invalid>',
    est_battery_range: round(kmToMiles(s.estRangeKm), P.rangeMi),
    fast_charger_brand: s.chargeKind === 'dc' ? 'Tesla' : '<invalid>',
    fast_charger_present: s.chargeKind === 'dc',
    fast_charger_type: s.chargeKind === 'dc' ? 'Tesla' : '<invalid>',
    ideal_battery_range: round(kmToMiles(s.rangeKm * 1.05), P.rangeMi),
    managed_charging_active: false,
    minutes_to_full_charge: Math.round(s.hoursToFull * 60),
    not_enough_power_to_heat: null,
    off_peak_charging_enabled: false,
    scheduled_charging_mode: 'Off',
    scheduled_charging_pending: false,
    scheduled_charging_start_time: null,
    time_to_full_charge: round(s.hoursToFull, P.hoursToFull),
    timestamp: now,
    trip_charging: s.chargeKind === 'dc',
    usable_battery_level: Math.max(0, level - 1),
    user_charge_enable_request: null,
  };
}

function climateState(s: VehicleSnapshot, now: number): Record<string, unknown> {
  return {
    allow_cabin_overheat_protection: true,
    auto_seat_climate_left: false,
    auto_seat_climate_right: false,
    battery_heater: false,
    battery_heater_no_power: null,
    bioweapon_mode: false,
    cabin_overheat_protection: 'On',
    climate_keeper_mode: 'off',
    defrost_mode: 0,
    driver_temp_setting: 21,
    fan_status: s.climateOn ? 3 : 0,
    inside_temp: round(s.insideTempC, P.tempC),
    is_auto_conditioning_on: s.climateOn,
    is_climate_on: s.climateOn,
    is_front_defroster_on: false,
    is_preconditioning: false,
    is_rear_defroster_on: false,
    max_avail_temp: 28,
    min_avail_temp: 15,
    outside_temp: round(s.outsideTempC, P.tempC),
    passenger_temp_setting: 21,
    remote_heater_control_enabled: false,
    seat_heater_left: 0,
    seat_heater_right: 0,
    side_mirror_heaters: false,
    steering_wheel_heater: false,
    timestamp: now,
    wiper_blade_heater: false,
  };
}

function driveState(s: VehicleSnapshot, now: number, withLocation: boolean): Record<string, unknown> {
  const driving = s.activity === 'driving';
  const body: Record<string, unknown> = {
    gps_as_of: Math.floor(now / 1000),
    heading: s.headingDeg,
    power: Math.round(s.powerKw),
    shift_state: driving ? 'D' : 'P',
    speed: driving ? Math.round(kphToMph(s.speedKph)) : null,
    timestamp: now,
  };
  if (withLocation) {
    Object.assign(body, {
      latitude: round(s.latitude, P.latLng),
      longitude: round(s.longitude, P.latLng),
      native_latitude: round(s.latitude, P.latLng),
      native_location_supported: 1,
      native_longitude: round(s.longitude, P.latLng),
      native_type: 'wgs',
    });
  }
  return body;
}

function guiSettings(v: VehicleProfile, now: number): Record<string, unknown> {
  const eu = v.region === 'eu';
  return {
    gui_24_hour_time: eu,
    gui_charge_rate_units: eu ? 'km/hr' : 'mi/hr',
    gui_distance_units: eu ? 'km/hr' : 'mi/hr',
    gui_range_display: 'Rated',
    gui_temperature_units: eu ? 'C' : 'F',
    gui_tirepressure_units: eu ? 'Bar' : 'Psi',
    show_range_units: false,
    timestamp: now,
  };
}

function vehicleConfig(v: VehicleProfile, now: number): Record<string, unknown> {
  return {
    can_accept_navigation_requests: true,
    can_actuate_trunks: true,
    car_special_type: 'base',
    car_type: v.spec.carType,
    charge_port_type: v.region === 'eu' ? 'CCS' : 'US',
    eu_vehicle: v.region === 'eu',
    exterior_color: v.color.replace(/[^A-Za-z]/g, ''),
    has_air_suspension: v.spec.model === 'Model S' || v.spec.model === 'Model X',
    has_seat_cooling: false,
    motorized_charge_port: true,
    plg: true,
    rear_seat_heaters: 1,
    right_hand_drive: false,
    roof_color: 'RoofColorGlass',
    supports_qr_pairing: true,
    third_row_seats: 'None',
    timestamp: now,
    trim_badging: '74d',
    use_range_badging: true,
    wheel_type: 'Pinwheel18',
  };
}

function vehicleState(v: VehicleProfile, s: VehicleSnapshot, locked: boolean, now: number): Record<string, unknown> {
  const [fl, fr, rl, rr] = s.tiresKpa.map((k) => round(kpaToBar(k), P.tpmsBar)) as [number, number, number, number];
  const soft = (kpa: number) => kpa < v.spec.tireKpa * 0.8;
  const seen = Math.floor(now / 1000);
  return {
    api_version: API_VERSION,
    autopark_state_v3: 'standby',
    calendar_supported: true,
    car_version: v.spec.firmware,
    center_display_state: s.activity === 'driving' ? 2 : 0,
    dashcam_state: s.activity === 'driving' ? 'Recording' : 'Unavailable',
    df: 0, dr: 0, pf: 0, pr: 0, ft: 0, rt: 0,
    fd_window: 0, fp_window: 0, rd_window: 0, rp_window: 0,
    is_user_present: s.activity === 'driving',
    locked,
    notifications_supported: true,
    odometer: round(kmToMiles(s.odometerKm), P.odometerMi),
    parsed_calendar_supported: true,
    remote_start: false,
    remote_start_enabled: true,
    remote_start_supported: true,
    santa_mode: 0,
    sentry_mode: false,
    sentry_mode_available: true,
    software_update: { download_perc: 0, expected_duration_sec: 2700, install_perc: 1, status: '', version: ' ' },
    speed_limit_mode: { active: false, current_limit_mph: 85, max_limit_mph: 120, min_limit_mph: 50, pin_code_set: false },
    timestamp: now,
    tpms_hard_warning_fl: false, tpms_hard_warning_fr: false, tpms_hard_warning_rl: false, tpms_hard_warning_rr: false,
    tpms_last_seen_pressure_time_fl: seen, tpms_last_seen_pressure_time_fr: seen, tpms_last_seen_pressure_time_rl: seen, tpms_last_seen_pressure_time_rr: seen,
    tpms_pressure_fl: fl, tpms_pressure_fr: fr, tpms_pressure_rl: rl, tpms_pressure_rr: rr,
    tpms_rcp_front_value: round(kpaToBar(v.spec.tireKpa), 1),
    tpms_rcp_rear_value: round(kpaToBar(v.spec.tireKpa), 1),
    tpms_soft_warning_fl: soft(s.tiresKpa[0]), tpms_soft_warning_fr: soft(s.tiresKpa[1]), tpms_soft_warning_rl: soft(s.tiresKpa[2]), tpms_soft_warning_rr: soft(s.tiresKpa[3]),
    valet_mode: false,
    valet_pin_needed: true,
    vehicle_name: v.displayName,
    webcam_available: true,
  };
}

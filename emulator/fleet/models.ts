// The vehicle models the fleet is drawn from, with the figures the simulator needs. Consumption is at
// 50 km/h on flat roads; the simulator scales it with speed.

export type Powertrain = 'bev' | 'ice';
export type Oem = 'tesla' | 'smartcar';

/** Smartcar endpoints a model may lack (answered 501 VEHICLE_NOT_CAPABLE). */
export type SmartcarCapability = 'battery' | 'charge' | 'fuel' | 'tires' | 'oil' | 'location' | 'security';

export interface VehicleModel {
  make: string;
  model: string;
  years: readonly [number, number];
  powertrain: Powertrain;
  /** Usable battery (kWh) for a BEV. */
  batteryKwh?: number;
  /** kWh per km at city speed (BEV). */
  kwhPerKm?: number;
  /** Max DC charging power (kW). */
  dcKw?: number;
  /** Fuel tank (litres) and litres per 100 km (ICE). */
  tankL?: number;
  lPer100Km?: number;
  /** Recommended cold tire pressure (kPa). */
  tireKpa: number;
  /** VIN characters 1–8 (WMI + descriptor) per region; the rest is generated. */
  vinPrefix: { na?: string; eu?: string };
  plant: string;
  /** Which OEM API serves it. */
  oem: Oem;
  /** Smartcar endpoints this model cannot answer. */
  lacks?: readonly SmartcarCapability[];
  /** Tesla car_version firmware string (Tesla only). */
  firmware?: string;
  /** Tesla option/trim label for vehicle_config.car_type. */
  carType?: string;
}

export const MODELS: readonly VehicleModel[] = [
  { oem: 'tesla', make: 'Tesla', model: 'Model 3', carType: 'model3', years: [2018, 2025], powertrain: 'bev', batteryKwh: 75, kwhPerKm: 0.14, dcKw: 250, tireKpa: 290, vinPrefix: { na: '5YJ3E1EB', eu: 'LRW3E7FA' }, plant: 'F', firmware: '2025.14.3 8f7d3c1a' },
  { oem: 'tesla', make: 'Tesla', model: 'Model Y', carType: 'modely', years: [2020, 2025], powertrain: 'bev', batteryKwh: 75, kwhPerKm: 0.155, dcKw: 250, tireKpa: 290, vinPrefix: { na: '7SAYGDEE', eu: 'XP7YGCEK' }, plant: 'A', firmware: '2025.14.3 8f7d3c1a' },
  { oem: 'tesla', make: 'Tesla', model: 'Model S', carType: 'models', years: [2016, 2024], powertrain: 'bev', batteryKwh: 95, kwhPerKm: 0.175, dcKw: 250, tireKpa: 290, vinPrefix: { na: '5YJSA1E2', eu: '5YJSA7E2' }, plant: 'F', firmware: '2024.44.25 1d2ab3c4' },
  { oem: 'tesla', make: 'Tesla', model: 'Model X', carType: 'modelx', years: [2016, 2024], powertrain: 'bev', batteryKwh: 95, kwhPerKm: 0.2, dcKw: 250, tireKpa: 290, vinPrefix: { na: '5YJXCAE2', eu: '5YJXCCE2' }, plant: 'F', firmware: '2024.44.25 1d2ab3c4' },
  { oem: 'smartcar', make: 'Ford', model: 'Mustang Mach-E', years: [2021, 2025], powertrain: 'bev', batteryKwh: 88, kwhPerKm: 0.19, dcKw: 150, tireKpa: 262, vinPrefix: { na: '3FMTK3SU', eu: 'WF0TK3SU' }, plant: 'M' },
  { oem: 'smartcar', make: 'Ford', model: 'F-150', years: [2018, 2025], powertrain: 'ice', tankL: 136, lPer100Km: 12.4, tireKpa: 241, vinPrefix: { na: '1FTFW1E5' }, plant: 'K', lacks: ['battery', 'charge'] },
  { oem: 'smartcar', make: 'Toyota', model: 'RAV4', years: [2019, 2025], powertrain: 'ice', tankL: 55, lPer100Km: 7.6, tireKpa: 240, vinPrefix: { na: '2T3W1RFV', eu: 'JTMW1RFV' }, plant: 'C', lacks: ['battery', 'charge'] },
  { oem: 'smartcar', make: 'Toyota', model: 'Camry', years: [2018, 2025], powertrain: 'ice', tankL: 60, lPer100Km: 7.1, tireKpa: 240, vinPrefix: { na: '4T1B11HK' }, plant: 'U', lacks: ['battery', 'charge', 'tires'] },
  { oem: 'smartcar', make: 'Chevrolet', model: 'Bolt EV', years: [2017, 2023], powertrain: 'bev', batteryKwh: 65, kwhPerKm: 0.16, dcKw: 55, tireKpa: 262, vinPrefix: { na: '1G1FY6S0' }, plant: '4', lacks: ['fuel', 'oil'] },
  { oem: 'smartcar', make: 'BMW', model: 'i4', years: [2022, 2025], powertrain: 'bev', batteryKwh: 81, kwhPerKm: 0.17, dcKw: 205, tireKpa: 250, vinPrefix: { na: 'WBY73AW0', eu: 'WBY71AW0' }, plant: 'F', lacks: ['fuel', 'oil'] },
  { oem: 'smartcar', make: 'BMW', model: 'X3', years: [2018, 2025], powertrain: 'ice', tankL: 65, lPer100Km: 8.4, tireKpa: 250, vinPrefix: { na: '5UXTY5C0', eu: 'WBATX1C0' }, plant: 'L', lacks: ['battery', 'charge'] },
  { oem: 'smartcar', make: 'Volkswagen', model: 'ID.4', years: [2021, 2025], powertrain: 'bev', batteryKwh: 77, kwhPerKm: 0.18, dcKw: 135, tireKpa: 250, vinPrefix: { na: '1V2GNPE8', eu: 'WVGZZZE2' }, plant: 'C', lacks: ['fuel', 'oil', 'tires'] },
  { oem: 'smartcar', make: 'Volkswagen', model: 'Golf', years: [2017, 2024], powertrain: 'ice', tankL: 50, lPer100Km: 5.9, tireKpa: 230, vinPrefix: { eu: 'WVWZZZCD' }, plant: 'W', lacks: ['battery', 'charge', 'tires'] },
  { oem: 'smartcar', make: 'Hyundai', model: 'Ioniq 5', years: [2022, 2025], powertrain: 'bev', batteryKwh: 77.4, kwhPerKm: 0.17, dcKw: 230, tireKpa: 250, vinPrefix: { na: 'KM8KRDAF', eu: 'KMHKN81E' }, plant: 'U', lacks: ['fuel', 'oil'] },
  { oem: 'smartcar', make: 'Nissan', model: 'Leaf', years: [2018, 2024], powertrain: 'bev', batteryKwh: 40, kwhPerKm: 0.16, dcKw: 50, tireKpa: 250, vinPrefix: { na: '1N4AZ1CP', eu: 'SJNFAAZE' }, plant: 'C', lacks: ['fuel', 'oil', 'tires'] },
];

export function modelsFor(oem: Oem, region: 'na' | 'eu'): VehicleModel[] {
  return MODELS.filter((m) => m.oem === oem && m.vinPrefix[region] !== undefined);
}

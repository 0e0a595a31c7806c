// Accounts and vehicles, drawn deterministically from the seed. Account k of an OEM is always the same
// person with the same cars, however many other accounts exist, because each draws from its own
// stream (seed, oem, k).
import { OdmError } from '../../src/core/errors.ts';
import { createRng, randomUuid, type Rng } from '../core/rng.ts';
import { makeVin } from '../core/vin.ts';
import { type City, cityForRegion, type Region } from './cities.ts';
import { modelsFor, type Oem, type VehicleModel } from './models.ts';
import { gridPlace, type PlaceId } from './routing.ts';

export type Persona = 'commuter' | 'errands' | 'heavy';

export interface Account {
  /** Stable id: `tesla-0001`, `smartcar-0001`. */
  id: string;
  oem: Oem;
  index: number;
  email: string;
  name: string;
  region: Region;
  /** Tesla's numeric user id / Smartcar's user UUID. */
  oemUserId: string;
  vehicleKeys: string[];
}

export interface VehicleProfile {
  /** Internal key, `<accountId>-v<n>`; the control plane also accepts the OEM id and the VIN. */
  key: string;
  oem: Oem;
  accountId: string;
  /** The id the OEM API uses: Tesla's numeric id (as a string), Smartcar's UUID. */
  oemId: string;
  /** Tesla only: the second numeric id (`vehicle_id`). */
  teslaVehicleId?: number;
  vin: string;
  make: string;
  model: string;
  year: number;
  color: string;
  displayName: string;
  spec: VehicleModel;
  region: Region;
  city: City;
  persona: Persona;
  home: PlaceId;
  work: PlaceId;
  shops: PlaceId[];
  leisure: PlaceId[];
  /** BEV with a wall charger at home. */
  homeCharger: boolean;
  acKw: number;
  /** Plugs in at home when the state of charge is below this (percent). */
  plugBelowPct: number;
  chargeLimitPct: number;
  /** Parks in an underground garage at work: offline there. */
  workGarage: boolean;
  initial: { energyPct: number; odometerKm: number; headingDeg: number };
  tireOffsetKpa: [number, number, number, number];
  /** Index of a slowly leaking tire (fl, fr, rl, rr) or -1. */
  leakingTire: number;
  leakKpaPerDay: number;
  oilOffsetKm: number;
}

const COLORS = ['Pearl White', 'Solid Black', 'Midnight Silver', 'Deep Blue', 'Red Multi-Coat', 'Quicksilver', 'Stealth Grey'];
const NAMES = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Robin', 'Avery', 'Quinn', 'Charlie'];
const SURNAMES = ['Miller', 'Schmidt', 'Garcia', 'Nguyen', 'Fischer', 'Johnson', 'Weber', 'Lopez', 'Becker', 'Brown'];
const NICKNAMES = ['Sparky', 'Blue Bolt', 'Voltaire', 'Road Runner', 'Silent Bob', 'Zippy', 'Nova', 'Comet'];

/** Reference year for vehicle ages, fixed so the fleet does not depend on when it is generated. */
const REFERENCE_YEAR = 2026;

export interface FleetSize {
  tesla: number;
  smartcar: number;
}

export interface NewAccountOptions {
  oem: Oem;
  region?: Region;
  vehicles?: number;
}

export class Fleet {
  readonly seed: string;
  readonly accounts: Account[] = [];
  readonly vehicles: VehicleProfile[] = [];
  readonly #accountsById = new Map<string, Account>();
  readonly #accountsByEmail = new Map<string, Account>();
  readonly #vehicles = new Map<string, VehicleProfile>();
  readonly #nextIndex: Record<Oem, number> = { tesla: 1, smartcar: 1 };

  constructor(seed: string, size: FleetSize) {
    this.seed = seed;
    for (let i = 0; i < size.tesla; i++) this.createAccount({ oem: 'tesla' });
    for (let i = 0; i < size.smartcar; i++) this.createAccount({ oem: 'smartcar' });
  }

  createAccount(options: NewAccountOptions): Account {
    const oem = options.oem;
    if (oem !== 'tesla' && oem !== 'smartcar') throw new OdmError('ODM_ERR_VALIDATION', `unknown OEM ${String(oem)}: tesla or smartcar`);
    if (options.vehicles !== undefined && (!Number.isInteger(options.vehicles) || options.vehicles < 1 || options.vehicles > 20)) {
      throw new OdmError('ODM_ERR_VALIDATION', 'an account has 1 to 20 vehicles', { details: { vehicles: options.vehicles } });
    }
    const index = this.#nextIndex[oem]++;
    const rng = createRng(this.seed, 'account', oem, index);
    const region: Region = options.region ?? (rng.chance(oem === 'tesla' ? 0.6 : 0.7) ? 'na' : 'eu');
    const count = options.vehicles ?? rng.weighted([[1, 0.5], [2, 0.35], [3, 0.15]] as const);
    const id = `${oem}-${String(index).padStart(4, '0')}`;
    const first = rng.pick(NAMES);
    const account: Account = {
      id,
      oem,
      index,
      email: `driver${String(index).padStart(4, '0')}@${oem}.emulator.test`,
      name: `${first} ${rng.pick(SURNAMES)}`,
      region,
      oemUserId: oem === 'tesla' ? String(800_000_000 + index * 17 + rng.int(0, 16)) : randomUuid(rng),
      vehicleKeys: [],
    };
    for (let slot = 1; slot <= count; slot++) this.#addVehicle(account);
    this.accounts.push(account);
    this.#accountsById.set(id, account);
    this.#accountsByEmail.set(account.email, account);
    return account;
  }

  /** One more vehicle for an account (Smartcar tokens issued before do not reach it, as with a real re-Connect). */
  addVehicle(account: Account): VehicleProfile {
    if (account.vehicleKeys.length >= 20) throw new OdmError('ODM_ERR_VALIDATION', 'an account has at most 20 vehicles');
    return this.#addVehicle(account);
  }

  #addVehicle(account: Account): VehicleProfile {
    const vehicle = this.#makeVehicle(account, account.vehicleKeys.length + 1);
    account.vehicleKeys.push(vehicle.key);
    this.vehicles.push(vehicle);
    for (const alias of [vehicle.key, vehicle.oemId, vehicle.vin]) this.#vehicles.set(alias, vehicle);
    return vehicle;
  }

  /** By account id or email. */
  account(idOrEmail: string): Account | undefined {
    return this.#accountsById.get(idOrEmail) ?? this.#accountsByEmail.get(idOrEmail.toLowerCase());
  }

  /** By internal key, OEM id or VIN. */
  vehicle(anyId: string): VehicleProfile | undefined {
    return this.#vehicles.get(anyId) ?? this.#vehicles.get(anyId.toUpperCase());
  }

  vehiclesOf(account: Account): VehicleProfile[] {
    return account.vehicleKeys.map((k) => this.#vehicles.get(k)!);
  }

  #makeVehicle(account: Account, slot: number): VehicleProfile {
    const rng = createRng(this.seed, 'vehicle', account.oem, account.index, slot);
    const spec = rng.pick(modelsFor(account.oem, account.region));
    const year = rng.int(spec.years[0], spec.years[1]);
    const serial = account.index * 4 + slot;
    const vin = makeVin(spec.vinPrefix[account.region]!, year, spec.plant, serial);
    const city = cityForRegion(account.region);
    const places = this.#places(rng, city);
    const persona = rng.weighted<Persona>([['commuter', 0.55], ['errands', 0.3], ['heavy', 0.15]]);
    const bev = spec.powertrain === 'bev';
    const ageYears = Math.max(0.1, REFERENCE_YEAR - year - rng.range(0, 0.8));
    const profile: VehicleProfile = {
      key: `${account.id}-v${slot}`,
      oem: account.oem,
      accountId: account.id,
      oemId: account.oem === 'tesla' ? String(1_492_931_000_000_000 + serial * 100_003 + rng.int(0, 99_999)) : randomUuid(rng),
      vin,
      make: spec.make,
      model: spec.model,
      year,
      color: rng.pick(COLORS),
      displayName: rng.chance(0.6) ? rng.pick(NICKNAMES) : `${account.name.split(' ')[0]}'s ${spec.model}`,
      spec,
      region: account.region,
      city,
      persona,
      ...places,
      homeCharger: bev && rng.chance(0.85),
      acKw: account.region === 'na' ? rng.pick([7.7, 11.5]) : rng.pick([7.4, 11]),
      plugBelowPct: rng.pick([50, 60, 70, 101]),
      chargeLimitPct: bev ? rng.pick([80, 80, 85, 90]) : 100,
      workGarage: rng.chance(0.12),
      initial: {
        energyPct: rng.range(bev ? 35 : 25, bev ? 90 : 95),
        odometerKm: Math.round(ageYears * rng.range(11_000, 21_000) * 10) / 10,
        headingDeg: rng.int(0, 359),
      },
      tireOffsetKpa: [rng.int(-12, 6), rng.int(-12, 6), rng.int(-12, 6), rng.int(-12, 6)],
      leakingTire: rng.chance(0.05) ? rng.int(0, 3) : -1,
      leakKpaPerDay: rng.range(1.5, 4),
      oilOffsetKm: rng.int(0, 14_000),
    };
    if (account.oem === 'tesla') profile.teslaVehicleId = 1_000_000_000 + serial * 113 + rng.int(0, 112);
    return profile;
  }

  #places(rng: Rng, city: City): Pick<VehicleProfile, 'home' | 'work' | 'shops' | 'leisure'> {
    const chargers = new Set(city.chargers.map(([r, c]) => gridPlace(r, c)));
    const randomNode = (): PlaceId => {
      for (;;) {
        const p = gridPlace(rng.int(0, city.size - 1), rng.int(0, city.size - 1));
        if (!chargers.has(p)) return p;
      }
    };
    const home = rng.chance(0.2) ? 'suburb' : randomNode();
    let work = randomNode();
    while (work === home) work = randomNode();
    const shops = [randomNode(), randomNode(), randomNode()].filter((p) => p !== home);
    const leisure = [randomNode(), randomNode(), home === 'suburb' ? randomNode() : 'suburb'].filter((p) => p !== home);
    return { home, work, shops: shops.length ? shops : [work], leisure: leisure.length ? leisure : [work] };
  }
}

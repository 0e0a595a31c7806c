// Charging and refuelling sessions as piecewise-constant rates, so the energy in the battery (or tank)
// at any instant is closed-form. AC charges at the wall charger's power; DC fast charging tapers in
// steps above 50 % the way real charge curves do; refuelling pumps about 36 l/min.

export type ChargeKind = 'ac' | 'dc' | 'fuel';

export interface ChargePhase {
  start: number;
  end: number;
  energyStart: number;
  /** Energy units (kWh or litres) per millisecond. */
  ratePerMs: number;
  /** Power drawn from the charger, kW (0 for fuel). */
  powerKw: number;
}

export interface ChargeSession {
  kind: ChargeKind;
  plugAt: number;
  phases: ChargePhase[];
  /** When the target is reached (the session then shows "complete" until unplugged). */
  fullAt: number;
  startEnergy: number;
  targetEnergy: number;
  limitPct: number;
  volts: number;
}

const AC_EFFICIENCY = 0.92;
const DC_EFFICIENCY = 0.95;
const FUEL_L_PER_S = 0.6;
/** DC taper: up to each state of charge (percent), this share of the car's peak power. */
const DC_STEPS: readonly (readonly [number, number])[] = [[50, 1], [65, 0.6], [80, 0.35], [100, 0.15]];

export interface ChargeRequest {
  kind: ChargeKind;
  capacity: number;
  startEnergy: number;
  limitPct: number;
  plugAt: number;
  acKw: number;
  dcKw: number;
  acVolts: number;
}

export function planCharge(req: ChargeRequest): ChargeSession {
  const target = (req.capacity * req.limitPct) / 100;
  const phases: ChargePhase[] = [];
  let t = req.plugAt;
  let e = req.startEnergy;
  const push = (upTo: number, powerKw: number, ratePerMs: number) => {
    if (e >= upTo || ratePerMs <= 0) return;
    const end = t + (upTo - e) / ratePerMs;
    phases.push({ start: t, end, energyStart: e, ratePerMs, powerKw });
    t = end;
    e = upTo;
  };
  if (req.kind === 'ac') {
    push(target, req.acKw, (req.acKw * AC_EFFICIENCY) / 3_600_000);
  } else if (req.kind === 'dc') {
    for (const [pct, share] of DC_STEPS) {
      const power = req.dcKw * share;
      push(Math.min(target, (req.capacity * pct) / 100), power, (power * DC_EFFICIENCY) / 3_600_000);
    }
  } else {
    push(target, 0, FUEL_L_PER_S / 1000);
  }
  return {
    kind: req.kind,
    plugAt: req.plugAt,
    phases,
    fullAt: Math.ceil(t),
    startEnergy: req.startEnergy,
    targetEnergy: Math.max(target, req.startEnergy),
    limitPct: req.limitPct,
    volts: req.kind === 'dc' ? 400 : req.acVolts,
  };
}

/** The phase running at t, if any. */
export function phaseAt(s: ChargeSession, t: number): ChargePhase | undefined {
  for (const p of s.phases) if (t >= p.start && t < p.end) return p;
  return undefined;
}

export function energyInSession(s: ChargeSession, t: number): number {
  if (t <= s.plugAt) return s.startEnergy;
  if (t >= s.fullAt) return s.targetEnergy;
  const p = phaseAt(s, t);
  return p ? p.energyStart + p.ratePerMs * (t - p.start) : s.targetEnergy;
}

// One leg of a trip: start from standstill, accelerate to the road's speed, cruise, brake to a stop at
// the leg's end (a junction, a light, the destination). Closed-form, so position and speed at any
// instant cost a few multiplications and the odometer is exactly the integral of the speed.

export interface Profile {
  lengthM: number;
  /** Peak speed actually reached (m/s); below the limit on short legs. */
  vPeak: number;
  accel: number;
  /** Seconds spent accelerating (and, symmetrically, braking). */
  tAcc: number;
  /** Metres covered while accelerating (and while braking). */
  dAcc: number;
  /** Seconds from start to standstill at the end. */
  durationS: number;
}

export function profile(lengthM: number, vMax: number, accel: number): Profile {
  const full = (vMax * vMax) / accel; // metres to reach vMax and brake again
  if (lengthM >= full) {
    const tAcc = vMax / accel;
    const dAcc = full / 2;
    return { lengthM, vPeak: vMax, accel, tAcc, dAcc, durationS: 2 * tAcc + (lengthM - full) / vMax };
  }
  const vPeak = Math.sqrt(accel * lengthM);
  const tAcc = vPeak / accel;
  return { lengthM, vPeak, accel, tAcc, dAcc: lengthM / 2, durationS: 2 * tAcc };
}

/** Distance (m) and speed (m/s) `t` seconds after the leg started. */
export function motionAt(p: Profile, t: number): { s: number; v: number } {
  if (t <= 0) return { s: 0, v: 0 };
  if (t >= p.durationS) return { s: p.lengthM, v: 0 };
  if (t < p.tAcc) return { s: 0.5 * p.accel * t * t, v: p.accel * t };
  const tBrake = p.durationS - p.tAcc;
  if (t <= tBrake) return { s: p.dAcc + p.vPeak * (t - p.tAcc), v: p.vPeak };
  const left = p.durationS - t;
  return { s: p.lengthM - 0.5 * p.accel * left * left, v: p.accel * left };
}

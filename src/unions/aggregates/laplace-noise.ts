// Calibrated Laplace noise, drawn deterministically from a keyed hash of what is being released: asking
// the same question of the same data returns the same noisy answer, so repeating a query and averaging
// cannot strip the noise; any change in the true value draws fresh noise. Scale b = sensitivity / ε.
import { createHmac } from 'node:crypto';

/** A uniform number in (0, 1) from a keyed hash of `label`. */
function uniform(secret: Buffer, label: string): number {
  const h = createHmac('sha256', secret).update(label).digest();
  // 52 random bits, shifted off both ends of [0, 1).
  const bits = h.readUIntBE(0, 6) * 2 ** 4 + (h[6]! >> 4);
  return (bits + 0.5) / 2 ** 52;
}

/** One Laplace(0, scale) draw by inverse CDF. */
export function laplace(secret: Buffer, label: string, scale: number): number {
  const u = uniform(secret, label) - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

export interface NoiseSpec {
  /** Privacy budget of one release period, split equally over the released measures. */
  epsilon: number;
  secret: Buffer;
}

/** A noisy non-negative integer count. */
export function noisyCount(spec: NoiseSpec, label: string, value: number, sensitivity: number, measures: number): number {
  const scale = (sensitivity * measures) / spec.epsilon;
  return Math.max(0, Math.round(value + laplace(spec.secret, `${label}|${value}`, scale)));
}

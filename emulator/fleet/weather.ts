// Outside temperature: a seasonal curve per city, a daily swing peaking mid-afternoon, and a
// deterministic day-to-day wobble.
import { createRng } from '../core/rng.ts';
import { type City, utcOffsetMs } from './cities.ts';

const DAY_MS = 86_400_000;
const wobble = new Map<string, number>();

export function outsideTempC(seed: string, city: City, t: number): number {
  const local = t + utcOffsetMs(city);
  const day = Math.floor(local / DAY_MS);
  const key = `${seed}|${city.id}|${day}`;
  let w = wobble.get(key);
  if (w === undefined) {
    w = createRng(seed, 'weather', city.id, day).range(-3, 3);
    if (wobble.size > 10_000) wobble.clear();
    wobble.set(key, w);
  }
  // Day of year from the local date; coldest around 15 January, warmest mid-July.
  const date = new Date(local);
  const doy = (Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS;
  const season = (1 - Math.cos((2 * Math.PI * (doy - 15)) / 365)) / 2; // 0 in Jan, 1 in Jul
  const mean = city.climate.jan + (city.climate.jul - city.climate.jan) * season;
  const hour = (local % DAY_MS) / 3_600_000;
  return mean + w + city.climate.dailySwing * Math.sin((2 * Math.PI * (hour - 9)) / 24);
}

// A small SVG line chart of one signal over time: time axis, value axis with round ticks, the line (and a
// min–max band when the series was thinned), the newest value. Screen readers get a summary and can
// open the numbers as a table.
import { useMemo } from 'react';
import { timeOnly, value as fmt } from '../app/format.ts';

export interface SeriesData {
  ts: number[];
  v: Array<number | string>;
  min?: number[];
  max?: number[];
}

const W = 640;
const H = 200;
const PAD = { l: 52, r: 12, t: 12, b: 26 };

function niceStep(lo: number, hi: number, count = 4): number {
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
}

function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (lo === hi) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toFixed(10)));
  return out;
}

export function SignalChart({ title, unit, series }: { title: string; unit?: string | null; series: SeriesData }) {
  const numeric = series.v.length > 0 && series.v.every((x) => typeof x === 'number');
  const model = useMemo(() => {
    if (!numeric || series.ts.length === 0) return undefined;
    const v = series.v as number[];
    const lows = series.min ?? v;
    const highs = series.max ?? v;
    let lo = Math.min(...lows);
    let hi = Math.max(...highs);
    if (lo === hi) {
      lo -= 1;
      hi += 1;
    }
    const t0 = series.ts[0]!;
    // A lone reading sits in the middle of a minute-wide axis.
    const t1 = Math.max(series.ts[series.ts.length - 1]!, t0 + 60_000);
    const x = (t: number) => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
    const y = (val: number) => PAD.t + (1 - (val - lo) / (hi - lo)) * (H - PAD.t - PAD.b);
    const line = series.ts.map((t, i) => `${x(t).toFixed(1)},${y(v[i]!).toFixed(1)}`).join(' ');
    const band = series.min && series.max
      ? [...series.ts.map((t, i) => `${x(t).toFixed(1)},${y(series.max![i]!).toFixed(1)}`), ...series.ts.map((t, i) => `${x(t).toFixed(1)},${y(series.min![i]!).toFixed(1)}`).reverse()].join(' ')
      : undefined;
    const timeTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => t0 + f * (t1 - t0));
    const step = niceStep(lo, hi);
    const decimals = Math.max(0, Math.min(4, -Math.floor(Math.log10(step))));
    const dots = series.ts.length <= 60 ? series.ts.map((t, i) => ({ cx: x(t), cy: y(v[i]!) })) : [];
    return { lo, hi, x, y, line, band, dots, decimals, yTicks: niceTicks(lo, hi), timeTicks, min: Math.min(...v), max: Math.max(...v), last: v[v.length - 1]! };
  }, [series, numeric]);

  if (series.ts.length === 0) {
    return (
      <figure className="chart">
        <figcaption>{title}</figcaption>
        <p className="muted">No readings in this period.</p>
      </figure>
    );
  }
  if (!model) {
    const last = series.v[series.v.length - 1];
    return (
      <figure className="chart">
        <figcaption>{title}</figcaption>
        <p>
          Latest: <strong>{String(last)}</strong> at {timeOnly(series.ts[series.ts.length - 1]!)} ({series.ts.length} readings)
        </p>
      </figure>
    );
  }
  const summary = `${title}: ${series.ts.length} readings from ${timeOnly(series.ts[0]!)} to ${timeOnly(series.ts[series.ts.length - 1]!)}, lowest ${fmt(model.min, unit)}, highest ${fmt(model.max, unit)}, latest ${fmt(model.last, unit)}.`;
  return (
    <figure className="chart">
      <figcaption>
        {title} <span className="muted">latest {fmt(model.last, unit)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {model.yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.l} x2={W - PAD.r} y1={model.y(t)} y2={model.y(t)} className="grid" />
            <text x={PAD.l - 6} y={model.y(t) + 4} textAnchor="end" className="tick">
              {fmt(t, undefined, model.decimals)}
            </text>
          </g>
        ))}
        {model.timeTicks.map((t, i) => (
          <text key={`x${i}`} x={model.x(t)} y={H - 6} textAnchor={i === 0 ? 'start' : i === 4 ? 'end' : 'middle'} className="tick">
            {timeOnly(t)}
          </text>
        ))}
        {model.band ? <polygon points={model.band} className="band" /> : null}
        <polyline points={model.line} className="line" fill="none" />
        {model.dots.map((d, i) => (
          <circle key={i} cx={d.cx} cy={d.cy} r={3} className="dot" />
        ))}
      </svg>
      <details>
        <summary>Show the numbers</summary>
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">{unit ? `Value (${unit})` : 'Value'}</th>
            </tr>
          </thead>
          <tbody>
            {series.ts.slice(-30).map((t, i, arr) => (
              <tr key={t}>
                <td>{new Date(t).toLocaleString()}</td>
                <td>{fmt(series.v[series.v.length - arr.length + i] as number)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

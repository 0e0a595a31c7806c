// Every benchmark reports figures the same way: one line per metric for people, or one JSON object
// per line with --json for machines.
export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** Optional context shown to people (e.g. "limit: raw recoveries/s on this machine"). */
  note?: string;
}

export interface Reporter {
  figure(figure: Figure): void;
  /** Progress for people; silent in --json mode so stdout stays parseable. */
  progress(message: string): void;
}

export function createReporter(bench: string, json: boolean, out: NodeJS.WritableStream = process.stdout): Reporter {
  return {
    figure(f) {
      if (json) {
        out.write(JSON.stringify({ bench, metric: f.metric, value: f.value, unit: f.unit, ...(f.note ? { note: f.note } : {}) }) + '\n');
      } else {
        const value = Number.isInteger(f.value) ? f.value.toLocaleString('en-US') : f.value.toLocaleString('en-US', { maximumFractionDigits: 3 });
        out.write(`${bench.padEnd(10)} ${f.metric.padEnd(32)} ${value.padStart(14)} ${f.unit}${f.note ? `   (${f.note})` : ''}\n`);
      }
    },
    progress(message) {
      if (!json) process.stderr.write(`${bench}: ${message}\n`);
    },
  };
}

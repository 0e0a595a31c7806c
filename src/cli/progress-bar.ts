// A progress bar for long CLI runs, on stderr and only when stderr is a terminal (so pipes, logs and
// --json output stay clean). It appears once a run has taken half a second and redraws at most ten
// times a second.
export type ProgressFn = (done: number, total: number) => void;

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): { update: ProgressFn; done(): void } {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  const started = now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      if (t - started < 500 || (t - last < 100 && done < total)) return;
      last = t;
      const width = 30;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor(ratio * 100)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

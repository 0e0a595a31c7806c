// A binary min-heap of (due time, sequence) entries: the scheduler's timer queue. O(log n) push and pop
// for 10,000+ vehicles; cancelled entries are skipped lazily when they reach the top.

export interface DueEntry {
  due: number;
  /** Tie-break: first scheduled, first run. */
  seq: number;
  key: string;
  gen: number;
}

export class DueHeap {
  readonly #a: DueEntry[] = [];

  get size(): number {
    return this.#a.length;
  }

  peek(): DueEntry | undefined {
    return this.#a[0];
  }

  push(e: DueEntry): void {
    const a = this.#a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): DueEntry | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(x: DueEntry, y: DueEntry): boolean {
  return x.due < y.due || (x.due === y.due && x.seq < y.seq);
}

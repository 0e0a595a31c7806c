// Exact medians and order statistics: quickselect over gathered values, and selection straight from
// sorted arrays (whole chunk segments keep a sorted copy of their values) without gathering anything.

/** The k-th smallest (0-based) of the union of sorted arrays. */
export function kthOfSorted(arrays: Float64Array[], k: number): number {
  if (arrays.length === 1) return arrays[0]![k]!;
  if (arrays.length === 2) return kthOfTwo(arrays[0]!, arrays[1]!, k);
  const at = new Array<number>(arrays.length).fill(0);
  let v = NaN;
  for (let step = 0; step <= k; step++) {
    let best = -1;
    for (let j = 0; j < arrays.length; j++) if (at[j]! < arrays[j]!.length && (best < 0 || arrays[j]![at[j]!]! < arrays[best]![at[best]!]!)) best = j;
    v = arrays[best]![at[best]!++]!;
  }
  return v;
}

/** The k-th smallest (0-based) of two sorted arrays, by binary search on how many come from `a`. */
function kthOfTwo(a: Float64Array, b: Float64Array, k: number): number {
  const need = k + 1;
  let lo = Math.max(0, need - b.length);
  let hi = Math.min(a.length, need);
  while (lo <= hi) {
    const i = (lo + hi) >> 1;
    const j = need - i;
    const aLeft = i > 0 ? a[i - 1]! : -Infinity, aRight = i < a.length ? a[i]! : Infinity;
    const bLeft = j > 0 ? b[j - 1]! : -Infinity, bRight = j < b.length ? b[j]! : Infinity;
    if (aLeft <= bRight && bLeft <= aRight) return Math.max(aLeft, bLeft);
    if (aLeft > bRight) hi = i - 1;
    else lo = i + 1;
  }
  throw new Error('kthOfTwo: arrays are not sorted');
}

/** Exact median; reorders `values`. */
export function median(values: number[] | Float64Array): number {
  const n = values.length;
  const hi = select(values, n >> 1);
  if (n % 2 === 1) return hi;
  // The lower middle is the largest value left of the upper middle after selection.
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (values[i]! > lo) lo = values[i]!;
  return (lo + hi) / 2;
}

/** Quickselect: the k-th smallest (0-based), partially ordering `a` so a[0..k) ≤ a[k] ≤ a(k..]. */
function select(a: number[] | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

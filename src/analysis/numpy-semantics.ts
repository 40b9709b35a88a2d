/**
 * The few numpy routines the paper's figure code relies on, reproduced with numpy's exact semantics
 * (same floating-point operations in the same order), so binned results match the published ones.
 */

/** np.linspace(start, stop, num) with endpoint=True: start + i*step, the last value set to stop exactly. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (!Number.isInteger(num) || num < 0) throw new RangeError("linspace: num must be a non-negative integer");
  if (num === 0) return [];
  if (num === 1) return [start];
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) {
    // numpy: when the step is zero it computes (i / div) * delta instead of i * step.
    out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  }
  out[num - 1] = stop;
  return out;
}

/**
 * np.digitize(x, edges, right=True) for increasing edges: the index i with edges[i-1] < x <= edges[i];
 * 0 when x <= edges[0], edges.length when x > every edge. (numpy: searchsorted(edges, x, side="left").)
 */
export function digitizeRight(x: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** np.mean: the sum in order divided by n (numpy uses pairwise summation; differences are at the ulp level). */
export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** np.std with ddof=0 (numpy's default): sqrt(mean(|x - mean|^2)). */
export function std(values: readonly number[], ddof = 0): number {
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return Math.sqrt(s / (values.length - ddof));
}

/** np.median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** np.percentile(values, q) with the default "linear" method, q in [0, 100]. Values need not be sorted. */
export function percentile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * (q / 100);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  const t = pos - lo;
  const a = s[lo]!;
  const b = s[hi]!;
  const diff = b - a;
  // numpy's _lerp: interpolate from the nearer end, so t = 1 gives b exactly.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

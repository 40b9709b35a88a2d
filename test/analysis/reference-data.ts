/**
 * A small fixed dataset and what numpy 2.4 / scipy 1.17 compute on it, for comparing our statistics
 * with the reference implementations (the values were printed by a Python script once and pasted here):
 *   x = np.log(np.maximum(freq, 1)); edges = np.linspace(x.min(), x.max(), 12)
 *   idx = np.digitize(x, edges, right=True); per index: np.mean, np.std, count; exp(edges[i])
 *   scipy.stats.pearsonr(np.log(edge[1:-1]), mean[1:-1])
 *   scipy.stats.linregress(np.log10(np.where(freq == 0, 1, freq)), perf); scipy.stats.spearmanr(...)
 */
export const FREQ = [
  0, 0, 1, 1, 1335, 30624, 7558, 13, 32, 23322, 1, 12769, 9668, 219, 33, 25, 19, 168, 333, 585, 94951, 9190, 1291, 88064, 12, 6,
  1155, 2, 2, 375, 214, 38534, 1400, 372, 305, 17, 1, 9, 2885, 10,
];
export const PERF = [
  7.2, 11.8, 17.3, 8.5, 33.2, 44.1, 39.5, 12.4, 23.0, 50.7, 2.7, 45.9, 40.6, 24.5, 34.6, 26.4, 13.8, 28.0, 33.1, 30.2, 50.9, 39.3,
  37.8, 55.2, 15.5, 18.7, 30.7, 14.9, 7.0, 26.5, 27.1, 49.5, 40.9, 22.1, 24.6, 24.5, 0.0, 15.9, 35.6, 26.5,
];
/** [index, n, exp(edge), mean, std] per non-empty bin. */
export const PAPER_BINS: [number, number, number, number, number][] = [
  [0, 6, 1.0, 7.916666666666667, 5.684310766389262],
  [1, 2, 2.8346533623076398, 10.95, 3.95],
  [2, 1, 8.035259684442007, 18.7, 0.0],
  [3, 6, 22.777175881518552, 18.1, 5.386712046013473],
  [4, 3, 64.56539819641905, 28.0, 4.868949236402725],
  [5, 1, 183.02052308621091, 28.0, 0.0],
  [6, 6, 518.7997411376303, 26.316666666666663, 3.432402786516887],
  [7, 5, 1470.6174305801173, 34.56, 4.158172675587198],
  [8, 1, 4168.690644262152, 35.6, 0.0],
  [9, 3, 11816.792951178113, 39.8, 0.5715476066494097],
  [10, 3, 33496.51187075026, 46.900000000000006, 2.785677655436825],
  [11, 3, 94951.00000000001, 51.86666666666667, 2.4253293018108346],
];
export const PAPER_PEARSON = { r: 0.970372479576852, p: 3.252627973044622e-6 };
export const LINREGRESS = {
  slope: 8.453396792900627,
  intercept: 8.781300144856434,
  r: 0.9391540781273865,
  p: 3.162608786032601e-19,
  stderr: 0.5015618601920624,
  spearman: 0.9374130936619531,
  spearman_p: 5.32332249165425e-19,
};

export function referencePoints(): { concept: string; frequency: number; performance: number }[] {
  return FREQ.map((frequency, i) => ({ concept: `c${i}`, frequency, performance: PERF[i]! }));
}

/** Every number in a JSON-like value is finite (no NaN or Infinity sneaks into an output). */
export function allFinite(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (v !== null && typeof v === "object") return Object.values(v).every(allFinite);
  return true;
}

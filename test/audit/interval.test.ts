/**
 * Binomial intervals against independently computed values: Wilson by its formula in Python
 * (z = scipy.stats.norm.ppf(0.975)), Jeffreys and the beta CDF from scipy.stats.beta (scipy 1.17).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { betaCdf, betaQuantile, jeffreysInterval, normalQuantile, wilsonInterval } from "../../src/analysis/binomial-interval.js";

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// k, n, Wilson low, high (Python: formula), Jeffreys low, high (scipy beta.ppf)
const REFERENCE: [number, number, number, number, number, number][] = [
  [8, 10, 0.4901624715366418, 0.9433178485456248, 0.4972255035600069, 0.9559405864473692],
  [0, 10, 0, 0.2775327998628892, 0, 0.21719626750921053],
  [10, 10, 0.7224672001371107, 1, 0.7828037324907894, 1],
  [1, 20, 0.008881448800795402, 0.23613119344674205, 0.005449032581426599, 0.2108186362492652],
  [19, 20, 0.763868806553258, 0.9911185511992047, 0.7891813637507349, 0.9945509674185734],
  [50, 100, 0.4038315303659956, 0.5961684696340044, 0.40317395089641805, 0.596826049103582],
  [3, 7, 0.15821985525146975, 0.7495416354723428, 0.13886421910489025, 0.7654987507479062],
];

test("normal quantile matches scipy.stats.norm.ppf", () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-12, "0.975");
  close(normalQuantile(0.995), 2.5758293035489004, 1e-12, "0.995");
  close(normalQuantile(0.01), -2.3263478740408408, 1e-12, "0.01");
});

test("Wilson 95% intervals match the formula computed independently (k=8, n=10 -> [0.4902, 0.9433])", () => {
  const w = wilsonInterval(8, 10);
  assert.equal(w.low.toFixed(4), "0.4902");
  assert.equal(w.high.toFixed(4), "0.9433");
  for (const [k, n, lo, hi] of REFERENCE) {
    const r = wilsonInterval(k, n);
    close(r.estimate, k / n, 0, `estimate ${k}/${n}`);
    close(r.low, lo, 1e-12, `low ${k}/${n}`);
    close(r.high, hi, 1e-12, `high ${k}/${n}`);
  }
});

test("Jeffreys 95% intervals match scipy's beta quantiles (0 and 1 at the edges)", () => {
  for (const [k, n, , , lo, hi] of REFERENCE) {
    const r = jeffreysInterval(k, n);
    close(r.low, lo, 1e-9, `low ${k}/${n}`);
    close(r.high, hi, 1e-9, `high ${k}/${n}`);
  }
  close(betaCdf(0.3, 2.5, 7.5), 0.6789434858661821, 1e-12, "I_0.3(2.5, 7.5)");
  close(betaQuantile(0.5, 1, 1), 0.5, 1e-12, "median of the uniform");
});

test("exact coverage of the 95% intervals is close to nominal over p (binomial pmf, n = 20 and 50)", () => {
  for (const n of [20, 50]) {
    const pmf = (k: number, p: number) => {
      let logC = 0;
      for (let i = 1; i <= k; i++) logC += Math.log((n - k + i) / i);
      return Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p));
    };
    for (const method of [wilsonInterval, jeffreysInterval]) {
      let sum = 0;
      const ps = [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9];
      for (const p of ps) {
        let coverage = 0;
        for (let k = 0; k <= n; k++) {
          const r = method(k, n);
          if (r.low <= p && p <= r.high) coverage += pmf(k, p);
        }
        assert.ok(coverage > 0.88 && coverage < 0.995, `${method.name} n=${n} p=${p}: coverage ${coverage.toFixed(3)}`);
        sum += coverage;
      }
      const mean = sum / ps.length;
      assert.ok(Math.abs(mean - 0.95) < 0.02, `${method.name} n=${n}: mean coverage ${mean.toFixed(3)}`);
    }
  }
});

test("intervals refuse impossible counts", () => {
  assert.throws(() => wilsonInterval(3, 2), RangeError);
  assert.throws(() => wilsonInterval(0, 0), RangeError);
  assert.throws(() => jeffreysInterval(-1, 5), RangeError);
});

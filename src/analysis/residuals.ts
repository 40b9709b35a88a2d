/**
 * Residuals of a log-linear fit: each point's performance minus the fitted line at its frequency, and
 * the points furthest from the line (a study's outliers).
 */
import type { SeriesFit } from "./fit.js";
import { log10Frequencies } from "./regression.js";
import { compareCodePoints } from "../code-point-order.js";

export interface ResidualPoint {
  concept: string;
  frequency: number;
  performance: number;
  /** performance minus the fitted line at this frequency (null without a fit). */
  residual: number | null;
}

/** Points with their residual from the fitted line (x = log10 of the frequency, 0 replaced by zeroAs). */
export function pointsWithResiduals(fit: Pick<SeriesFit, "points" | "regression">, zeroAs: number): ResidualPoint[] {
  const { slope, intercept } = fit.regression;
  const x = log10Frequencies(fit.points, zeroAs);
  return fit.points.map((p, i) => ({
    concept: p.concept,
    frequency: p.frequency,
    performance: p.performance,
    residual: slope === null || intercept === null ? null : p.performance - (intercept + slope * x[i]!),
  }));
}

/** The n points with the largest |residual| (ties: by concept name, code point order). */
export function outliersOf<P extends ResidualPoint>(points: readonly P[], n: number): P[] {
  return points
    .filter((p) => p.residual !== null)
    .sort((a, b) => Math.abs(b.residual!) - Math.abs(a.residual!) || compareCodePoints(a.concept, b.concept))
    .slice(0, n);
}

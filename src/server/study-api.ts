/**
 * The dashboard's queries over a study's data (study-data.json), as plain functions: the HTTP layer
 * (app.ts) validates parameters and turns these results into JSON responses. An unknown name is an
 * ApiError with a 4xx status and a one-sentence message.
 */
import type { CountMode } from "../study/manifest.js";
import type { FitPoint, StudyData, StudyFit } from "../study/data.js";
import { figureFitId } from "../study/data.js";
import { compareCodePoints } from "../code-point-order.js";

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ConceptFrequencies {
  concept: string;
  /** Datasets listing the concept. */
  datasets: string[];
  /** corpus -> mode -> count (absent when the corpus has no count for the concept in that mode). */
  frequency: Record<string, Partial<Record<CountMode, number>>>;
}

export interface ConceptDetail extends ConceptFrequencies {
  /** corpus -> example captions (lowest doc ids first). */
  examples: Record<string, { doc: number; caption: string }[]>;
  /** dataset -> model -> performance. */
  performance: Record<string, Record<string, number>>;
  /** The concept's point in every fit: fit id -> residual from the fitted line. */
  residuals: Record<string, number | null>;
}

function list(names: Iterable<string>): string {
  return [...names].map((n) => `"${n}"`).join(", ");
}

/** Precomputed lookups over a study's data. */
export class StudyApi {
  readonly concepts: string[];
  private readonly lower: string[];
  private readonly datasetsOf = new Map<string, string[]>();
  private readonly fitsById = new Map<string, StudyFit>();

  constructor(readonly data: StudyData) {
    const seen = new Set<string>();
    this.concepts = [];
    for (const d of data.datasets) {
      for (const c of d.concepts) {
        if (!seen.has(c)) {
          seen.add(c);
          this.concepts.push(c);
        }
        const ds = this.datasetsOf.get(c) ?? [];
        ds.push(d.name);
        this.datasetsOf.set(c, ds);
      }
    }
    this.lower = this.concepts.map((c) => c.toLowerCase());
    for (const f of data.fits) this.fitsById.set(f.id, f);
  }

  /** The study's outline: corpora, modes, datasets and one summary row per fit. */
  summary(): object {
    const d = this.data;
    return {
      name: d.name,
      modes: d.modes,
      corpora: d.corpora,
      datasets: d.datasets.map((x) => ({ name: x.name, concepts: x.concepts.length, models: x.models })),
      figures: d.figures,
      concepts: this.concepts.length,
      fits: d.fits.map((f) => ({
        id: f.id,
        figure: f.figure,
        dataset: f.dataset,
        model: f.model,
        corpus: f.corpus,
        mode: f.mode,
        n: f.n,
        slope: f.regression.slope,
        r: f.regression.r,
        p: f.regression.p,
        spearman: f.regression.spearman,
        binned_r: f.binned?.pearson.r ?? null,
        binned_p: f.binned?.pearson.p ?? null,
      })),
      files: { report: d.files.report, results_csv: d.files.results_csv, results_json: d.files.results_json },
    };
  }

  checkCorpus(corpus: string): void {
    if (!this.data.corpora.some((c) => c.name === corpus)) {
      throw new ApiError(400, `unknown corpus "${corpus}"; the study has ${list(this.data.corpora.map((c) => c.name))}.`);
    }
  }

  checkMode(corpus: string, mode: string): CountMode {
    const c = this.data.corpora.find((x) => x.name === corpus)!;
    if (!(c.modes as string[]).includes(mode)) throw new ApiError(400, `corpus "${corpus}" has no ${mode} counts; its modes are ${list(c.modes)}.`);
    return mode as CountMode;
  }

  frequencies(concept: string): ConceptFrequencies {
    const frequency: ConceptFrequencies["frequency"] = {};
    for (const c of this.data.corpora) {
      const byMode: Partial<Record<CountMode, number>> = {};
      for (const [mode, counts] of Object.entries(this.data.counts[c.name] ?? {})) {
        const v = counts?.[concept];
        if (v !== undefined) byMode[mode as CountMode] = v;
      }
      frequency[c.name] = byMode;
    }
    return { concept, datasets: this.datasetsOf.get(concept) ?? [], frequency };
  }

  /** Concepts whose name contains `q` (case-insensitive): exact match first, then prefix matches, then the rest; by name within each; `limit` of them from `offset` on. */
  searchConcepts(q: string, limit: number, offset = 0): { q: string; total: number; offset: number; concepts: ConceptFrequencies[] } {
    const needle = q.trim().toLowerCase();
    const hits: number[] = [];
    this.lower.forEach((name, i) => {
      if (name.includes(needle)) hits.push(i);
    });
    const rank = (i: number) => (this.lower[i] === needle ? 0 : this.lower[i]!.startsWith(needle) ? 1 : 2);
    hits.sort((a, b) => rank(a) - rank(b) || compareCodePoints(this.lower[a]!, this.lower[b]!) || a - b);
    return { q, total: hits.length, offset, concepts: hits.slice(offset, offset + limit).map((i) => this.frequencies(this.concepts[i]!)) };
  }

  concept(name: string): ConceptDetail {
    if (!this.datasetsOf.has(name)) {
      throw new ApiError(404, `the study has no concept named "${name}"; search with /api/concepts?q=TEXT.`);
    }
    const examples: ConceptDetail["examples"] = {};
    for (const [corpus, byConcept] of Object.entries(this.data.examples)) examples[corpus] = byConcept[name] ?? [];
    const performance: ConceptDetail["performance"] = {};
    for (const [dataset, byModel] of Object.entries(this.data.performance)) {
      for (const [model, values] of Object.entries(byModel)) {
        if (values[name] !== undefined) (performance[dataset] ??= {})[model] = values[name]!;
      }
    }
    const residuals: Record<string, number | null> = {};
    for (const f of this.data.fits) {
      const p = f.points.find((x) => x.concept === name);
      if (p) residuals[f.id] = p.residual;
    }
    return { ...this.frequencies(name), examples, performance, residuals };
  }

  /** The rarest concepts of a corpus in a mode (ascending count, then name). */
  rarest(corpus: string, mode: string, limit: number): { corpus: string; mode: CountMode; concepts: { concept: string; count: number }[] } {
    this.checkCorpus(corpus);
    const m = this.checkMode(corpus, mode);
    const counts = this.data.counts[corpus]?.[m] ?? {};
    const concepts = Object.entries(counts)
      .sort((a, b) => a[1] - b[1] || compareCodePoints(a[0], b[0]))
      .slice(0, limit)
      .map(([concept, count]) => ({ concept, count }));
    return { corpus, mode: m, concepts };
  }

  /** A dataset's fit (dataset=) or a figure's pooled fit (figure=): exactly one of the two. */
  fitOf(q: { dataset?: string; figure?: string; model: string; corpus: string; mode: string }): StudyFit {
    if ((q.dataset === undefined) === (q.figure === undefined)) throw new ApiError(400, 'give one of the query parameters "dataset" and "figure".');
    return q.figure !== undefined ? this.figureFit(q.figure, q.model, q.corpus, q.mode) : this.fit(q.dataset!, q.model, q.corpus, q.mode);
  }

  figureFit(figure: string, model: string, corpus: string, mode: string): StudyFit {
    const fig = this.data.figures.find((x) => x.name === figure);
    if (!fig) throw new ApiError(400, `unknown figure "${figure}"; the study has ${this.data.figures.length ? list(this.data.figures.map((x) => x.name)) : "no figures"}.`);
    if (!fig.models.includes(model)) throw new ApiError(400, `figure "${figure}" has no model "${model}"; its models are ${list(fig.models)}.`);
    this.checkCorpus(corpus);
    this.checkMode(corpus, mode);
    const f = this.fitsById.get(figureFitId({ figure, model, corpus, mode }));
    if (!f) throw new ApiError(404, `figure "${figure}" has no fit of model "${model}" against corpus "${corpus}" (${mode}); see the study's fits at /api/study.`);
    return f;
  }

  fit(dataset: string, model: string, corpus: string, mode: string): StudyFit {
    const d = this.data.datasets.find((x) => x.name === dataset);
    if (!d) throw new ApiError(400, `unknown dataset "${dataset}"; the study has ${list(this.data.datasets.map((x) => x.name))}.`);
    if (!d.models.includes(model)) throw new ApiError(400, `dataset "${dataset}" has no model "${model}"; its models are ${list(d.models)}.`);
    this.checkCorpus(corpus);
    this.checkMode(corpus, mode);
    const f = this.fitsById.get(`${dataset}/${model}/${corpus}/${mode}`);
    if (!f) throw new ApiError(404, `model "${model}" was not fitted against corpus "${corpus}" (${mode}); see the study's fits at /api/study.`);
    return f;
  }

  /** The fit's points furthest from its line, largest |residual| first. */
  outliers(f: StudyFit, limit: number): FitPoint[] {
    return f.points
      .filter((p) => p.residual !== null)
      .sort((a, b) => Math.abs(b.residual!) - Math.abs(a.residual!) || compareCodePoints(a.concept, b.concept))
      .slice(0, limit);
  }
}

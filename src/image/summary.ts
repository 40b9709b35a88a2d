/**
 * The end-of-build summary of an image index (or sweep): images, tags per image, per-concept tag
 * counts (the most tagged, and how many concepts were never tagged), and the full per-concept table.
 */
import { csvField } from "../io/csv-write.js";
import type { ImageIndexManifest } from "./manifest.js";

/** One line per threshold. */
export function summarizeImageIndexes(manifests: readonly ImageIndexManifest[], conceptCounts: readonly number[][], top = 5): string[] {
  return manifests.map((m, l) => {
    const counts = conceptCounts[l]!;
    const order = counts.map((_, c) => c).sort((a, b) => counts[b]! - counts[a]! || a - b);
    const best = order
      .slice(0, top)
      .filter((c) => counts[c]! > 0)
      .map((c) => `${m.concepts[c]} ${counts[c]}`)
      .join(", ");
    const never = counts.filter((n) => n === 0).length;
    return (
      `threshold ${m.threshold}: ${m.stats.taggedImages} of ${m.docCount} images tagged, ` +
      `${m.stats.tagsPerImage.toFixed(3)} tags per image (${m.stats.tags} tags)` +
      (best ? `; most tagged: ${best}` : "") +
      `; ${never} of ${m.concepts.length} concepts never tagged`
    );
  });
}

/** CSV of per-concept tag counts: `concept,<threshold>,<threshold>...`, rows in concept-list order. */
export function conceptCountsCsv(manifests: readonly ImageIndexManifest[], conceptCounts: readonly number[][]): string {
  const concepts = manifests[0]?.concepts ?? [];
  const head = ["concept", ...manifests.map((m) => csvField(`t=${m.threshold}`))].join(",");
  const rows = concepts.map((c, i) => [csvField(c), ...conceptCounts.map((counts) => String(counts[i]))].join(","));
  return [head, ...rows].join("\n") + "\n";
}

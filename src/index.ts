/**
 * The public library API: `import { ... } from "conceptfreq"`.
 * Each stage adds its exports in its own block.
 */
// --- text ---
export { ANALYZER, analyzeCaption, analyzeCaptionForIndex, phraseTokens, lemmatizeAsNoun } from "./text/analyzer.js";
export { parseConcept, parseConcepts, type ConceptQuery, type ConceptWord } from "./text/concept-query.js";
export { UserError } from "./errors.js";
// --- io ---
export { writeFileAtomic } from "./io/atomic-write.js";
export { csvTable } from "./io/csv-write.js";
// --- corpus ---
export type { CaptionRow, ReaderOptions, CorpusFormat, MalformedKind } from "./corpus/record.js";
export { openCorpus, detectFormat } from "./corpus/open.js";
export { MALFORMED_KINDS, DEFAULT_MAX_CAPTION_LENGTH, DEFAULT_BATCH_ROWS } from "./corpus/record.js";
// --- postings ---
export { PostingFile, PostingFileWriter } from "./postings/posting-file.js";
export { RoaringBitmap32 } from "./postings/roaring-bitmap.js";
export { serializePortable, deserializePortable } from "./postings/posting-file.js";
// --- text index ---
export { TextIndex, verifyTextIndex, type OpenOptions as TextIndexOpenOptions, type VerifyResult as TextIndexVerifyResult } from "./text-index/text-index.js";
export { buildTextIndex, type BuildOptions as TextIndexBuildOptions, type BuildProgress as TextIndexBuildProgress } from "./text-index/build.js";
export { mergeTextIndexes, type MergeOptions as TextIndexMergeOptions } from "./text-index/merge.js";
export { countConcepts, matchConcept, type ConceptCount, type CountOptions, type MatchMode } from "./text-index/count.js";
export { searchConcept, type SearchResult, type SearchOptions } from "./text-index/search.js";
export { readTextManifest, TEXT_INDEX_FORMAT, TEXT_INDEX_FORMAT_VERSION, type TextIndexManifest, type InputSummary, type MalformedCounts } from "./text-index/manifest.js";
export { writeConceptIds } from "./text-index/ids-out.js";
export type { CaptionStore } from "./text-index/caption-store.js";
export { formatCounts, formatCountMap, formatEstimates, type CountFormat } from "./report/count-format.js";
// sampled indexes and co-occurrence (issue 17)
export { RowSampler, sampleUniform, checkSampleRate, formatRate, SAMPLE_METHOD, SAMPLE_DOC_IDS, type SampleInfo } from "./text-index/sample.js";
export { estimateFullCount, estimateConceptCounts, type CountEstimate, type ConceptEstimate } from "./text-index/sample-estimate.js";
export { binomialCdf, regularizedBeta, logGamma } from "./analysis/binomial.js";
export { conceptCooccurrence, conceptPairs, readConceptPairs, formatCooccurrence, pointwiseMutualInformation, type CooccurrencePair, type CooccurrenceOptions } from "./text-index/cooccur.js";
// --- concepts ---
export { readConceptList, type ConceptList } from "./concepts/concept-list.js";
export { BUILTIN_CONCEPT_LISTS } from "./concepts/builtin/index.js";
export { extractRetrievalConcepts, type ExtractOptions as RetrievalConceptOptions, type ExtractedConcept, type ExtractResult as RetrievalConcepts } from "./concepts/extract.js";
// --- analysis ---
export { readValueMap, resolvePointer, parsePointer, parseValueMapSpec, escapePointerToken, type ValueMapSpec } from "./analysis/value-map.js";
export { fitLogLinear, bootstrapSlope, dataMultiplier, ols, type ConceptPoint, type FitLogLinearOptions, type Regression, type SlopeInterval, type DataMultiplier } from "./analysis/regression.js";
export { binLikePaper, binByQuantile, type Bin, type Binned, type BinOptions } from "./analysis/binning.js";
export { pearson, spearman, averageRanks, correlationP, twoSidedP, type Correlation } from "./analysis/correlation.js";
export { zipfExponent, longTailReport, crossCorpusCorrelation, tailReport, type ZipfFit, type LongTailReport, type LongTailOptions, type CorpusPairCorrelation, type TailReport, type RareConcept } from "./analysis/long-tail.js";
export { fitSeries, fitFrequencyPerformance, fitReportToJson, joinPairs, binPoints, type FitOptions, type FitPairInput, type SeriesInput, type SeriesFit, type SeriesPoint, type FitReport, type PairJoin, type BinningMethod } from "./analysis/fit.js";
export { planSeries, type SeriesArg, type SeriesPlan } from "./analysis/series-args.js";
export { linspace, digitizeRight } from "./analysis/numpy-semantics.js";
export { mulberry32, type Random } from "./analysis/random.js";
// --- report ---
export { renderVegaLite, svgToPng, writeChart, chartFormat, CHART_FONT, CHART_FONT_FILES, CHART_CONFIG, type PngOptions } from "./report/render.js";
export { logLinearPlotSpec, tailPlotSpec, seriesLabel, formatRho, decades, type LogLinearPlotSeries, type LogLinearPlotOptions, type TailPlotCorpus, type TailPlotOptions } from "./report/plots.js";
export { formatFitReport, unmatchedWarnings } from "./report/fit-text.js";
export { formatTailReport } from "./report/tail-text.js";
// --- evaluate ---
export { readNpy, writeNpy, encodeNpy, parseNpyHeader, npyToFloat32, openNpyRows, type NpyArray, type NpyData, type NpyDtype, type NpyHeader } from "./matrix/npy.js";
export { listSafetensors, openSafetensorsRows, encodeSafetensors, type SafetensorsTensor } from "./matrix/safetensors.js";
export { openMatrix, readMatrix, openRawRows, isRawMatrixPath, MATRIX_EXTENSIONS, type OpenMatrixOptions } from "./matrix/open.js";
export { fileRows, memoryRows, readAllRows, DTYPE_SIZE, type MatrixRows, type MatrixDtype, type FileMatrixLayout } from "./matrix/rows.js";
export { float16ToFloat32, float32ToFloat16, bfloat16ToFloat32, float16ToNumber } from "./matrix/float16.js";
export { l2NormalizeRows, averageTemplates, rowNorm, type NormalizeOptions } from "./matrix/normalize.js";
export { createSimilarityKernel, similarityBlocks, jsSimilarity, defaultBlockRows, float32DotErrorBound, onnxruntimeAvailable, type SimilarityKernel, type KernelBackend, type KernelOptions, type SimilarityBlockOptions } from "./matrix/matmul.js";
export { matmulModel } from "./matrix/onnx-model.js";
export { topK, RunningTopK, ranksBefore } from "./matrix/topk.js";
export { exactTopK, dot64, scoreErrorBound, type ExactTopK } from "./matrix/exact.js";
export { classifyZeroShot, classifyFiles, formatClassification, templatesPerClass, type ClassificationResult, type ClassificationReport, type ClassStats, type ClassifyInput, type ClassifyOptions, type ClassifyFiles } from "./evaluate/classify.js";
export { readClassNames, readLabels } from "./evaluate/labels.js";
export { buildPrompts, promptTemplates, fillTemplate, OPENAI_IMAGENET_TEMPLATES, PROMPT_SETS, type PromptSet } from "./evaluate/prompts.js";
export { retrieveZeroShot, retrieveFiles, formatRetrieval, checkRetrievalShapes, DEFAULT_RECALL_KS, type RecallAtK, type RetrievalResult, type RetrievalReport, type RetrievalInput, type RetrievalOptions, type RetrieveFiles } from "./evaluate/retrieve.js";
export { imageConceptsFromCaptions, captionTexts, type ImageConcepts, type ImageConceptOptions } from "./evaluate/caption-concepts.js";
export { aggregateScores, aggregateScoresFile, formatAggregate, type AggregateReport, type AggregateOptions, type ConceptScores, type ScoreLineProblem } from "./evaluate/aggregate.js";
export { formatJson, OrderedObject, ordered, percent } from "./evaluate/json-output.js";
// --- image ---
export { ImageIndex, checkSameDocSpace } from "./image/image-index.js";
export { IMAGE_INDEX_FORMAT, IMAGE_INDEX_FORMAT_VERSION, readImageManifest, type ImageIndexManifest, type ImageSweepManifest } from "./image/manifest.js";
export { buildImageIndexFromEmbeddings, loadConceptMatrix, tagBlockRows, type EmbeddingTagOptions, type ImageIndexBuild } from "./image/embedding-tagger.js";
export { importImageTags, type TagImportOptions, type TagImport } from "./image/tag-import.js";
export { selectTags, type TagSelection } from "./image/select-tags.js";
export { countConceptsByMode, missingImageConcepts, COUNT_MODES, type CountMode, type ModeCountOptions, type ModeCounts } from "./image/count-modes.js";
export { computeMisalignment, type Misalignment, type MisalignmentOptions, type MisalignmentResult } from "./image/misalignment.js";
export { DocKeys, readKeyList } from "./image/keys.js";
export { summarizeImageIndexes, conceptCountsCsv } from "./image/summary.js";
// --- longtail ---
export { computePHash, pHashFromGray, dctLowFrequencies, hammingDistance, hashToHex, hexToHash, hashToBigInt, parseHashBits, type HashBits, type ImageHash } from "./longtail/phash.js";
export { HammingIndex, type HammingMatch } from "./longtail/hamming-index.js";
export { dedupeGreedy, findCrossClassDuplicates, type HashedItem, type ClassedItem, type DedupeResult, type CrossClassDuplicate } from "./longtail/near-duplicates.js";
export { curateLongTail, listCandidateImages, hashCandidates, planCuration, formatCurationSummary, CURATE_FORMAT, type CurateOptions, type CurateResult, type ClassSummary, type ManifestRow, type Exclusion } from "./longtail/curate.js";
export { selectLongTail, conceptNameKey, parseFrequencyFlag, selectionToCsv, formatSelectionTable, selectionToConceptList, type FrequencySource, type SelectOptions, type LongTailSelection, type SelectedConcept } from "./longtail/select.js";
export { buildLongTailReport, readTop1, pairReportInputs, formatLongTailTable, longTailReportCsv, longTailReportJson, longTailChartSpec, type LongTailReportInput, type LongTailReportRow } from "./longtail/report.js";
// --- study ---
export { readStudyManifest, validateStudyManifest, type StudyManifest, type StudyCorpus, type StudyDataset, type StudyResult } from "./study/manifest.js";
export { runStudy, type StudyRunOptions, type StudyRunSummary } from "./study/run.js";
export { countStudyCorpus, type CorpusModeCounts } from "./study/counts.js";
export { loadStudyData, type StudyData, type StudyFit, type FitPoint } from "./study/data.js";
export { renderStudyReport } from "./study/report-html.js";
export { runDemo, DEMO_ASSETS, type DemoOptions, type DemoSummary } from "./study/demo.js";
export { createDashboardApp, startDashboard, type DashboardOptions, type StartDashboardOptions } from "./server/app.js";
export { StudyApi, ApiError } from "./server/study-api.js";
// --- audit ---
export { sampleAudit, sampleAuditCorpus, floydSample, auditIndexProblem, auditCorpusProblem, type AuditSample, type AuditSampleRow, type AuditSampleOptions } from "./audit/sample.js";
export { readAuditFile, parseAuditCsv, formatAuditCsv, parseLabel, AUDIT_COLUMNS, type AuditRow, type AuditLabel } from "./audit/audit-file.js";
export { applyAudit, formatAdjustedCounts, type AdjustedCount, type AuditApplyResult } from "./audit/apply.js";
export { wilsonInterval, jeffreysInterval, binomialInterval, betaCdf, betaQuantile, normalQuantile, INTERVAL_METHODS, type IntervalMethod, type ProportionInterval } from "./analysis/binomial-interval.js";
// --- corpus-set ---
export { planCorpus, readPlan, assignShards, type CorpusPlan, type PlanOptions, type PlannedShard, type PlannedInput } from "./corpus-set/plan.js";
export { buildShard, type BuildShardOptions, type BuildShardResult } from "./corpus-set/build-shard.js";
export { corpusStatus, shardStatus, type ShardStatus, type ShardState } from "./corpus-set/shard-state.js";
export { finishCorpus } from "./corpus-set/finish.js";
export { readCorpusManifest, CORPUS_FORMAT, CORPUS_FORMAT_VERSION, type CorpusManifest, type CorpusShard } from "./corpus-set/corpus-manifest.js";
export { TextCorpus, IndexSource, openTextSource, verifyTextSource, type TextSource, type SourceCountOptions, type SourceSearchOptions } from "./corpus-set/text-corpus.js";
export { countConceptsInParallel, type ParallelCountOptions } from "./corpus-set/count-parallel.js";
export { cooccurrenceInParallel, cooccurrenceWorkers, type ParallelCooccurrenceOptions } from "./corpus-set/cooccur-parallel.js";
export { runShardsLocally, type LocalRunOptions, type LocalRunResult } from "./corpus-set/run-local.js";
export { writeSlurmScripts, submitSlurm, type SlurmOptions, type SlurmScripts, type SlurmSubmission } from "./corpus-set/slurm.js";
export { indexedJob, indexedJobYaml, parseVolume, type K8sOptions } from "./corpus-set/k8s.js";
export { addShardImages, type CorpusImages, type CorpusShardImage } from "./corpus-set/image-shards.js";
export { countCorpusByMode, corpusMisalignment, corpusCooccurrence, type CorpusCountOptions, type CorpusConceptCount, type CorpusMisalignment } from "./corpus-set/corpus-counts.js";
export { GlobalIds, deserializeRoaring64Portable, writeGlobalConceptIds } from "./corpus-set/global-ids.js";
// --- synonyms (WordNet) ---
export { WordNet, defaultWordNetDir, wordNetForm, stripSyntacticMarker, type NounSynset } from "./concepts/wordnet.js";
export { expandWithWordNet, expandConcept, expandFromFile, readSynonymFile, formatSynonymFile, expansionQuery, parseSensePin, lookupForms, findNounSenses, lemmaAlternate, SYNONYMS_FORMAT, SYNONYMS_FORMAT_VERSION, type SenseChoice, type ConceptExpansion, type SynonymExpansion, type UsedSynset } from "./concepts/synonyms.js";
export { readCountIntervals } from "./analysis/value-map.js";
export { log10Sigmas, type CountUncertainty } from "./analysis/regression.js";
// --- study inputs, synonyms and intervals; aliases (issue 17 in the study) ---
export { readStudyInputs, type StudyInputs, type DatasetInputs, type ModelResult, type CountFileInput } from "./study/inputs.js";
export { expandStudyConcepts, type StudyExpansions } from "./study/synonyms.js";
export { synonymsFor, type StudySynonyms } from "./study/manifest.js";
export { countKey, type StudyConcept } from "./study/counts.js";
export { parseAliasArg, readAliasFile, aliasesFromObject, applyAliases, aliasNames, type AliasMap } from "./analysis/aliases.js";
export { pointsWithResiduals, outliersOf, type ResidualPoint } from "./analysis/residuals.js";

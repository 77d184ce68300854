import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError, decodeText } from '../../model/index.js';
import type { ImportBase, Importer } from '../import-types.js';
import { readFirstLine, readK6JsonFile } from './read.js';
import { buildK6Run, PERF_TYPES, type K6RunContext, type PerfType } from './run.js';
import { looksLikeK6Json } from './stream.js';
import { parseLenientJson, readK6Summary } from './summary.js';

/** `load`, `spike`, `soak` or `stress` when the file or script name says so, else `load`. */
export function perfTypeFromName(name: string): PerfType {
  const lower = basename(name).toLowerCase();
  return PERF_TYPES.find((t) => lower.includes(t)) ?? 'load';
}

function stem(file: string): string {
  return basename(file).replace(/\.(json|ndjson|jsonl|txt|gz)$/i, '').replace(/\.(json|ndjson)$/i, '') || basename(file);
}

function importContext(file: string, base: ImportBase, times: { startedAt: string; completedAt: string }, script: string | null, version: string | null): K6RunContext {
  const name = base.name ?? stem(file);
  return {
    id: base.id,
    name,
    startedAt: times.startedAt,
    completedAt: times.completedAt,
    environment: base.environment,
    trigger: 'import',
    executedBy: base.executedBy,
    ci: base.ci,
    runGroup: base.runGroup,
    toolVersion: version,
    commandLine: null,
    testType: perfTypeFromName(script ?? file),
    scenarioName: name,
    scriptPath: script ?? file,
    targetTps: null,
    failUnderTarget: false,
    vus: null,
    artifacts: [{ name: basename(file), kind: 'report', contentType: 'application/json', path: file, attempt: null }],
  };
}

const TEXT_SUMMARY = /█ (THRESHOLDS|TOTAL RESULTS)|^\s*(checks|http_reqs|http_req_duration|iterations)\.{3,}:/m;

/** `import --format k6-summary`: a `--summary-export` file, handleSummary() JSON, or the machine-readable summary. */
export const importK6Summary: Importer = async (file, base) => {
  const text = decodeText(await readFile(file));
  if (TEXT_SUMMARY.test(text) && !text.trimStart().startsWith('{')) {
    throw new UsageError(
      `${file}: this is k6's end-of-test text summary, which is not machine-readable; import the file written by "k6 run --summary-export=summary.json" or by handleSummary() instead`,
    );
  }
  let doc: unknown;
  try {
    doc = parseLenientJson(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new UsageError(`${file}: not a k6 summary (not JSON; expected the file written by --summary-export, handleSummary() or --new-machine-readable-summary)`);
  }
  const summary = readK6Summary(doc);
  if (!summary) {
    throw new UsageError(`${file}: not a k6 summary (expected "metrics" and "root_group" from --summary-export or handleSummary(), or the machine-readable summary with "version" and "results")`);
  }
  const completedAt = base.importedAt;
  const durationMs = summary.durationMs ?? null;
  const startedAt = durationMs ? new Date(Date.parse(completedAt) - Math.round(durationMs)).toISOString() : completedAt;
  const script = (doc as { config?: { script?: unknown } }).config?.script;
  const ctx = importContext(file, base, { startedAt, completedAt }, typeof script === 'string' ? script : null, summary.k6Version);
  return buildK6Run(ctx, { exitCode: null, stderr: '', summary, summaryProblem: null, stream: null, interrupted: false, wallMs: null });
};

/** `import --format k6-json`: the NDJSON stream of `k6 run --out json=<file>` (also `.gz`), read in one pass. */
export const importK6Json: Importer = async (file, base) => {
  let first: string;
  try {
    first = await readFirstLine(file);
  } catch (error) {
    throw new UsageError(`${file}: cannot read it as k6 JSON output (${(error as Error).message})`);
  }
  if (!looksLikeK6Json(first)) {
    throw new UsageError(`${file}: not k6 JSON output (expected NDJSON lines such as {"type":"Point","data":{...},"metric":"..."} from "k6 run --out json=<file>")`);
  }
  const stream = await readK6JsonFile(file);
  if (stream.points === 0 && stream.metrics.size === 0) {
    throw new UsageError(`${file}: no k6 metrics or points in it`);
  }
  if (stream.malformed) {
    // Garbage is never a result: one line that is not k6 output (other than a cut-off last line) refuses the file.
    throw new UsageError(
      `${file}: not k6 JSON output at line ${stream.firstMalformedLine ?? '?'} (${stream.malformed} of ${stream.lines} lines are not k6 metrics or points, e.g. ${JSON.stringify(stream.firstMalformed ?? '')})`,
    );
  }
  const startedAt = stream.firstTime !== null ? new Date(stream.firstTime).toISOString() : base.importedAt;
  const completedAt = stream.lastTime !== null ? new Date(stream.lastTime).toISOString() : base.importedAt;
  const ctx = importContext(file, base, { startedAt, completedAt }, null, null);
  const run = buildK6Run({ ...ctx, artifacts: [{ ...ctx.artifacts[0]!, contentType: 'application/x-ndjson' }] }, {
    exitCode: null,
    stderr: '',
    summary: null,
    summaryProblem: null,
    stream,
    // A file cut off mid-line is what a killed k6 leaves: what it has is kept, and it is never a pass.
    interrupted: stream.cutOffMidLine,
    wallMs: null,
  });
  if (stream.cutOffMidLine) {
    run.errorMessage = `incomplete: ${basename(file)} ends in the middle of a line (cut off after ${stream.lines - 1} complete lines); the cases are what was recorded until then`;
    run.metadata = { ...run.metadata, incomplete: 'true' };
  }
  return run;
};

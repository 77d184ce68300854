import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError, type RunInput } from '../../model/index.js';
import type { ImportBase } from '../import-types.js';
import { locustCsvFiles } from './invocation.js';
import { readLocustHistoryFile } from './read.js';
import { NO_CRITERIA, buildLocustRun } from './run.js';
import { LocustCsvError, LocustHistoryReader, parseLocustExceptions, parseLocustFailures, parseLocustStats } from './stats.js';

/**
 * `import --format locust-csv`: a PREFIX_stats.csv written by `locust --csv PREFIX`, with its
 * PREFIX_failures.csv, PREFIX_exceptions.csv and PREFIX_stats_history.csv read when they are beside
 * it (or the prefix itself). Failed requests fail the run, as with Locust's default exit code.
 */
export async function importLocustCsv(file: string, base: ImportBase): Promise<RunInput> {
  const prefix = file.endsWith('_stats.csv') ? file.slice(0, -'_stats.csv'.length) : file.replace(/_stats_history\.csv$|_failures\.csv$|_exceptions\.csv$/, '');
  const files = locustCsvFiles(prefix);
  if (!existsSync(files.stats)) throw new UsageError(`${basename(file)}: not a Locust stats file (expected PREFIX_stats.csv from "locust --csv PREFIX")`);
  let stats;
  let failures: ReturnType<typeof parseLocustFailures> = [];
  let exceptions: ReturnType<typeof parseLocustExceptions> = [];
  const history = new LocustHistoryReader(basename(files.history));
  try {
    stats = parseLocustStats(readFileSync(files.stats, 'utf8'), basename(files.stats));
    if (existsSync(files.failures)) failures = parseLocustFailures(readFileSync(files.failures, 'utf8'), basename(files.failures));
    if (existsSync(files.exceptions)) exceptions = parseLocustExceptions(readFileSync(files.exceptions, 'utf8'), basename(files.exceptions));
    if (existsSync(files.history)) await readLocustHistoryFile(files.history, history);
  } catch (error) {
    if (error instanceof LocustCsvError) throw new UsageError(`${basename(file)}: ${error.message}`);
    throw error;
  }
  if (!stats.aggregated) throw new UsageError(`${basename(file)}: a Locust stats file without its Aggregated row`);
  if (history.problem) throw new UsageError(`${basename(files.history)}: ${history.problem}`);
  const points = history.points;
  const startedAt = points.length ? new Date(points[0]!.time).toISOString() : base.importedAt;
  const last = points.length ? points[points.length - 1]!.time : null;
  const completedAt = last !== null && last >= Date.parse(startedAt) ? new Date(last).toISOString() : startedAt;
  const scenario = basename(prefix) || 'locust';
  const run = buildLocustRun(
    {
      id: base.id,
      name: base.name ?? scenario,
      startedAt,
      completedAt,
      environment: base.environment,
      trigger: 'import',
      executedBy: base.executedBy,
      ci: base.ci,
      runGroup: base.runGroup,
      toolVersion: null,
      commandLine: null,
      testType: 'load',
      scenarioName: scenario,
      locustfile: '',
      users: null,
      criteria: NO_CRITERIA,
      exitCodeOnError: 1,
      intervalMs: 1000,
      artifacts: [{ name: basename(files.stats), kind: 'report', contentType: 'text/csv', path: files.stats, attempt: null }],
    },
    { exitCode: null, signal: null, stderr: '', stats, statsProblem: null, failures, exceptions, history: points, interrupted: false, wallMs: null },
  );
  return { ...run, metadata: { ...run.metadata, locust_history_rows: String(history.rows), locust_history_partial_rows: String(history.partialRows) } };
}

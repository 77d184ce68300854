import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { UsageError, computeTotals, decodeText, makeRun } from '../../model/index.js';
import type { Importer } from '../import-types.js';
import { apiRunStatus, buildApiResults, executionsFromReport, learnSecrets } from './parse.js';
import { Redactor, type VariableEntry } from './redact.js';

/*
 * `import --format newman-json`: a report written by `newman run -r json` (newman 3.x to 6.x; see
 * ../shared/reference/newman/FORMAT.md). Loose on everything but the fields read.
 */

const VariableListSchema = z.object({ values: z.array(z.looseObject({})).optional() }).loose();

const NewmanReportSchema = z
  .object({
    collection: z
      .object({
        info: z.object({ name: z.string().optional(), _postman_id: z.string().optional(), id: z.string().optional() }).loose().optional(),
        item: z.array(z.unknown()).optional(),
        variable: z.array(z.looseObject({})).optional(),
      })
      .loose(),
    environment: VariableListSchema.optional().nullable(),
    globals: VariableListSchema.optional().nullable(),
    run: z
      .object({
        stats: z.object({ assertions: z.object({ total: z.number(), failed: z.number() }).loose() }).loose(),
        executions: z.array(z.looseObject({})),
        failures: z.array(z.unknown()).optional(),
        timings: z.object({ started: z.number().optional(), completed: z.number().optional() }).loose().optional(),
        error: z.unknown().optional(),
      })
      .loose(),
  })
  .loose();

function errorText(error: unknown): string | null {
  if (error === null || error === undefined) return null;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return JSON.stringify(error);
}

export const importNewmanJson: Importer = async (file, base) => {
  const shown = basename(file);
  let json: unknown;
  try {
    json = JSON.parse(decodeText(await readFile(file)));
  } catch (error) {
    throw new UsageError(`${file}: not a Newman JSON report (not valid JSON: ${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof json === 'object' && json !== null && 'info' in json && 'item' in json && !('run' in json)) {
    throw new UsageError(`${file}: this is a Postman collection, not a Newman run report (run it with "shopfds-test api ${shown}")`);
  }
  const parsed = NewmanReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file}: not a Newman JSON report (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'}; expected the output of "newman run -r json")`);
  }
  const report = parsed.data;
  const { executions, iterations, startedAt, completedAt } = executionsFromReport(report as Record<string, unknown>);
  const info = report.collection.info ?? {};
  const collectionName = info.name?.trim() || shown;
  const runError = errorText(report.run.error);

  const redactor = new Redactor();
  const variables: VariableEntry[] = [
    ...((report.environment?.values ?? []) as VariableEntry[]),
    ...((report.globals?.values ?? []) as VariableEntry[]),
    ...((report.collection.variable ?? []) as VariableEntry[]),
  ];
  const record = {
    collectionId: info._postman_id ?? info.id ?? null,
    collectionName,
    collectionPath: file,
    serviceName: null,
    iterations,
    startedAt,
    completedAt: completedAt ?? startedAt,
    executions,
    runError,
    interrupted: false,
    newmanRunId: null,
    reportPath: null,
  };
  learnSecrets(redactor, [record], variables);
  const fallbackStartedAt = base.importedAt;
  const { cases, suites } = buildApiResults([record], redactor, {
    environment: base.environment,
    executedBy: base.executedBy,
    ciBuildId: base.ci?.buildId ?? null,
    fallbackStartedAt,
  });
  const started = startedAt !== null ? new Date(startedAt).toISOString() : fallbackStartedAt;
  const completed = completedAt !== null && startedAt !== null && completedAt >= startedAt ? new Date(completedAt).toISOString() : started;
  return makeRun({
    id: base.id,
    kind: 'api',
    name: base.name ?? redactor.text(collectionName),
    status: apiRunStatus(computeTotals(cases), suites, { toolError: runError !== null }),
    startedAt: started,
    completedAt: completed,
    environment: base.environment,
    trigger: 'import',
    executedBy: base.executedBy,
    ci: base.ci,
    runGroup: base.runGroup,
    tool: { name: 'newman', version: null, commandLine: null },
    toolError: runError !== null,
    errorMessage: runError === null ? null : redactor.text(runError),
    artifacts: [{ name: shown, kind: 'report', contentType: 'application/json', path: file, attempt: null }],
    metadata: { source: 'newman-json', iterations: String(iterations) },
    cases,
    details: { kind: 'api', api: { suites } },
  });
};

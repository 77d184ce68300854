import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError, decodeText } from '../../model/index.js';
import type { Importer } from '../import-types.js';
import { assembleRun } from './assemble.js';
import { parsePlaywrightReport } from './parse.js';

/**
 * `shopfds-test import --format playwright-json`: a report written by Playwright's JSON reporter.
 * Attachment paths are kept as reported (they point at the machine that ran the tests).
 */
export const importPlaywrightJson: Importer = async (file, base) => {
  let data: unknown;
  try {
    data = JSON.parse(decodeText(await readFile(file)));
  } catch (error) {
    throw new UsageError(`${file}: not a JSON file: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!data || typeof data !== 'object' || !('suites' in data) || !('config' in data)) {
    throw new UsageError(`${file}: not a Playwright JSON report (expected "config" and "suites" at the top level)`, {
      hint: 'Write one with: npx playwright test --reporter=json > report.json',
    });
  }
  const parsed = parsePlaywrightReport(data, {
    runId: base.id,
    environment: base.environment,
    executedBy: base.executedBy,
    ciBuildId: base.ci?.buildId ?? null,
    ciCommitSha: base.ci?.commitSha ?? null,
    fallbackStartedAt: base.importedAt,
  });
  if (!parsed.ok) throw new UsageError(`${file}: ${parsed.message}`);
  const run = parsed.run;
  const metadata: Record<string, string> = { source: basename(file) };
  if (run.configFile) metadata.playwright_config = run.configFile;
  return assembleRun(
    {
      id: base.id,
      name: base.name ?? `Playwright report ${basename(file)}`,
      environment: base.environment,
      trigger: 'import',
      executedBy: base.executedBy,
      ci: base.ci,
      runGroup: base.runGroup,
      shard: shardOf(data),
      commandLine: null,
      metadata,
    },
    run,
    { startedAt: run.startedAt },
  );
};

function shardOf(data: object): { current: number; total: number } | null {
  const shard = (data as { config?: { shard?: unknown } }).config?.shard as { current?: unknown; total?: unknown } | null | undefined;
  if (shard && typeof shard.current === 'number' && typeof shard.total === 'number' && shard.current >= 1 && shard.total >= 1) {
    return { current: shard.current, total: shard.total };
  }
  return null;
}

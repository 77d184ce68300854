import { UsageError } from '../../model/index.js';
import type { LoadedScenario } from '../../adapters/playwright/scenario.js';
import type { CommandContext } from '../context.js';

interface ListOptions {
  tag?: string[];
  type?: string[];
  priority?: string[];
  status?: string[];
}

/** Loads scenario files (default: config e2e.scenarios, else scenarios/), refusing the whole set when any file has a problem. */
export async function loadScenarioFiles(ctx: CommandContext, paths: readonly string[]): Promise<{ scenarios: readonly LoadedScenario[]; searched: string[] }> {
  const { loadScenarioSet } = await import('../../adapters/playwright/load-scenarios.js');
  return loadScenarioSet(ctx.io.cwd, paths, { createdBy: ctx.globals.executedBy, dir: ctx.globals.config.e2e?.scenarios });
}

function check(name: string, values: string[] | undefined, allowed: readonly string[]): void {
  for (const v of values ?? []) {
    if (!allowed.includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  }
}

export async function listScenariosAction(ctx: CommandContext, paths: string[], options: ListOptions): Promise<number> {
  const { SCENARIO_TEST_TYPES, PRIORITIES, SCENARIO_STATUSES } = await import('../../model/index.js');
  check('type', options.type, SCENARIO_TEST_TYPES);
  check('priority', options.priority, PRIORITIES);
  check('status', options.status, SCENARIO_STATUSES);
  const { scenarios } = await loadScenarioFiles(ctx, paths);
  const selected = scenarios.filter(({ scenario: s }) => {
    if (options.tag?.length && !s.tags.some((t) => options.tag!.includes(t))) return false;
    if (options.type?.length && !options.type.includes(s.test_type)) return false;
    if (options.priority?.length && !options.priority.includes(s.priority)) return false;
    if (options.status?.length && !options.status.includes(s.status)) return false;
    return true;
  });
  if (ctx.globals.json) {
    ctx.out(
      JSON.stringify(
        selected.map(({ file, scenario: s }) => ({
          name: s.name,
          file,
          test_type: s.test_type,
          browser: s.browser,
          priority: s.priority,
          status: s.status,
          steps: s.steps.length,
          expected_results: s.expected_results.length,
          retry_count: s.retry_count,
          timeout_ms: s.timeout_ms,
          tags: s.tags,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const rows = [
    ['NAME', 'TYPE', 'BROWSER', 'PRIORITY', 'STATUS', 'STEPS', 'TAGS', 'FILE'],
    ...selected.map(({ file, scenario: s }) => [s.name, s.test_type, s.browser, s.priority, s.status, String(s.steps.length + s.expected_results.length), s.tags.join(','), file]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) ctx.out(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  ctx.out(`${selected.length} scenario${selected.length === 1 ? '' : 's'}`);
  return 0;
}

export async function validateScenariosAction(ctx: CommandContext, paths: string[]): Promise<number> {
  const { scenarios } = await loadScenarioFiles(ctx, paths);
  const files = [...new Set(scenarios.map((s) => s.file))];
  if (ctx.globals.json) ctx.out(JSON.stringify({ valid: true, scenarios: scenarios.length, files }, null, 2));
  else ctx.out(`${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}: valid`);
  return 0;
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, ExitCode, UsageError } from '../../model/index.js';
import type { PlanDef } from '../../plan/load.js';
import type { CommandContext } from '../context.js';
import type { PlanRunOptions } from '../plan/engine.js';

/** The package root: the bundled plans ship beside `dist/`. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLED_DIR = join(PACKAGE_ROOT, 'plans');

export interface PlanCommandOptions {
  readonly tier?: string[];
  readonly fromCi?: boolean;
  readonly skip?: string[];
  readonly dryRun?: boolean;
  readonly env?: string;
  readonly baseUrl?: string;
  readonly runGroup?: string;
  readonly junit?: string;
  readonly markdown?: string;
  readonly html?: string;
}

interface LocatedPlan {
  readonly path: string;
  /** As shown and stored: relative to the working directory, or `bundled:<name>`. */
  readonly shown: string;
  readonly bundled: boolean;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A plan file path, or a plan name looked up in ./plans and then among the bundled plans. */
export function locatePlan(ctx: CommandContext, given: string): LocatedPlan {
  const direct = resolve(ctx.io.cwd, given);
  if (isFile(direct)) {
    const rel = relative(ctx.io.cwd, direct);
    return { path: direct, shown: rel && !rel.startsWith('..') ? rel : direct, bundled: false };
  }
  if (!/[\\/]/.test(given) && !/\.ya?ml$/i.test(given)) {
    for (const ext of ['.yaml', '.yml']) {
      const local = join(ctx.io.cwd, 'plans', `${given}${ext}`);
      if (isFile(local)) return { path: local, shown: relative(ctx.io.cwd, local), bundled: false };
    }
    const bundled = join(BUNDLED_DIR, `${given}.yaml`);
    if (isFile(bundled)) return { path: bundled, shown: `bundled:${given}`, bundled: true };
  }
  if (existsSync(direct)) throw new UsageError(`${given}: not a file`);
  throw new UsageError(`${given}: no such plan file`, { hint: 'Give a path to a plan file, or the name of one in plans/ (see "shopfds-test plan list").' });
}

function planInvalid(file: string, problems: readonly string[]): UsageError {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more; "shopfds-test plan validate ${file}" lists them all)` : '';
  return new UsageError(`${file}: ${problems[0]}${more}`, { code: ERROR_CODES.plan });
}

/** Reads and checks a plan file. Problems come back as a list (for `plan validate`). */
export async function readPlan(ctx: CommandContext, located: LocatedPlan): Promise<{ ok: true; plan: PlanDef } | { ok: false; problems: string[] }> {
  const { parse } = await import('yaml');
  let text: string;
  try {
    text = readFileSync(located.path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    return { ok: false, problems: [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`] };
  }
  let doc: unknown;
  try {
    doc = parse(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [`not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
  if (!doc || typeof doc !== 'object') return { ok: false, problems: ['a plan file must be a YAML mapping with "name" and "tiers"'] };
  const { loadPlan } = await import('../../plan/load.js');
  const env = { ...ctx.io.env, SHOPFDS_HOME: PACKAGE_ROOT.replace(/\/$/, ''), PLAN_DIR: dirname(located.path) };
  const loaded = loadPlan(doc, env);
  return loaded.ok ? { ok: true, plan: loaded.plan } : { ok: false, problems: [...loaded.problems] };
}

async function loadAndPrepare(ctx: CommandContext, file: string) {
  const located = locatePlan(ctx, file);
  const read = await readPlan(ctx, located);
  if (!read.ok) throw planInvalid(located.shown, read.problems);
  const { prepareSteps } = await import('../plan/engine.js');
  const prepared = await prepareSteps(ctx, read.plan);
  if (prepared.problems.length) throw planInvalid(located.shown, prepared.problems);
  return { located, plan: read.plan, prepared: prepared.steps };
}

function runOptions(located: LocatedPlan, options: PlanCommandOptions): PlanRunOptions {
  return {
    file: located.bundled ? null : located.shown,
    tiers: options.tier,
    fromCi: options.fromCi,
    skip: options.skip,
    env: options.env,
    baseUrl: options.baseUrl,
    runGroup: options.runGroup,
  };
}

/** `plan run <file>`: runs the plan, stores the plan run with its step runs, prints the summary. */
export async function planRunAction(ctx: CommandContext, file: string, options: PlanCommandOptions): Promise<number> {
  if (options.tier?.length && options.fromCi) throw new UsageError('--tier and --from-ci both choose tiers; give one of them');
  const { located, plan, prepared } = await loadAndPrepare(ctx, file);
  if (options.dryRun) return showPlan(ctx, located, plan, prepared, options);
  return executeAndReport(ctx, located, plan, prepared, options, 'plan');
}

/** Runs a loaded plan and reports it; `label` starts the verdict line (`plan`, or `demo` for the shortcut). */
export async function executeAndReport(
  ctx: CommandContext,
  located: LocatedPlan,
  plan: PlanDef,
  prepared: Awaited<ReturnType<typeof loadAndPrepare>>['prepared'],
  options: PlanCommandOptions,
  label: string,
): Promise<number> {
  const { executePlan } = await import('../plan/engine.js');
  const { finishRun } = await import('../session.js');
  const { run, exitCode: planExit } = await executePlan(ctx, plan, prepared, runOptions(located, options));
  ctx.progress.stop();
  let exitCode = await finishRun(ctx, run, { junit: options.junit, markdown: options.markdown, html: options.html });
  // An invalid step (exit 2) is an invalid plan, which the run's `error` status alone would call 3.
  if (planExit === ExitCode.usage && exitCode === ExitCode.tool) exitCode = ExitCode.usage;
  if (!ctx.globals.json) {
    const { planStepCounts } = await import('../../report/plan.js');
    const { validateRun } = await import('../../model/index.js');
    const checked = validateRun(run);
    if (checked.ok) {
      const counts = planStepCounts(checked.run);
      const partly = counts.ran < counts.steps ? ` (${counts.ran} of ${counts.steps} steps ran)` : '';
      const word =
        counts.ran === 0
          ? 'did not run: no step could run'
          : exitCode === 0
            ? `passed${partly}`
            : exitCode === ExitCode.store
              ? `passed (store unavailable)${partly}`
              : exitCode === ExitCode.sigint || exitCode === ExitCode.sigterm
                ? `interrupted${partly}`
                : exitCode === ExitCode.tool || exitCode === ExitCode.usage
                  ? `could not finish${partly}`
                  : `failed${partly}`;
      if (counts.ran === 0) for (const step of counts.notRun) ctx.err(`shopfds-test: ${step.name} not run: ${step.reason ?? step.status}`);
      if (counts.notRun.length) {
        ctx.out('');
        ctx.out(`Not run: ${counts.notRun.map((s) => `${s.name} (${(s.reason ?? s.status).split(/[;(]/)[0]!.trim()})`).join(', ')}.`);
      }
      ctx.out('');
      ctx.out(`${label === 'plan' ? `plan ${plan.name}` : label} ${word}. See a step's run with "shopfds-test runs show <id>", this plan again with "shopfds-test runs show ${run.id.slice(0, 8)}".`);
    }
  }
  return exitCode;
}

/** `plan show` and `plan run --dry-run`: what would run, in order, with the resolved command lines. */
async function showPlan(
  ctx: CommandContext,
  located: LocatedPlan,
  plan: PlanDef,
  prepared: Awaited<ReturnType<typeof loadAndPrepare>>['prepared'],
  options: PlanCommandOptions,
): Promise<number> {
  const { selectTiers, resolvedArgv } = await import('../plan/engine.js');
  const { selected, reasons, event } = selectTiers(plan, runOptions(located, options), ctx.io.env);
  const { formatDurationText } = await import('../../model/index.js');
  const skip = new Set(options.skip ?? []);
  const runOpts = runOptions(located, options);
  // The base URL each step would get: the plan's, then the latest service's (a demo shop's is only known once it runs).
  const serviceUrl = (services: readonly PlanDef['services'][number][], current: string | null) =>
    services.reduce<string | null>((url, s) => (s.demoShop ? '<demo shop URL>' : (s.baseUrl ?? url)), current);
  let baseUrl: string | null = serviceUrl(plan.services, options.baseUrl ?? plan.baseUrl);
  const describeStep = (id: string) => {
    const p = prepared.get(id)!;
    const d = p.def;
    if (d.kind === 'service') baseUrl = serviceUrl([d.service!], baseUrl);
    const what =
      d.kind === 'run'
        ? `shopfds-test ${resolvedArgv(p, baseUrl, plan, runOpts).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`
        : d.kind === 'command'
          ? `sh -c ${JSON.stringify(d.shell)}${d.files.length ? ` (then imports ${d.files.join(', ')})` : ''}`
          : d.kind === 'import'
            ? `shopfds-test import ${d.files.join(' ')}`
            : d.service!.demoShop
              ? 'the bundled demo shop'
              : `${JSON.stringify(d.service!.run)}${d.service!.health ? `, ready at ${d.service!.health}` : ''}`;
    const extras = [
      d.timeoutMs !== null ? `timeout ${formatDurationText(d.timeoutMs)}` : '',
      d.retries ? `retries ${d.retries}` : '',
      d.continueOnFailure ? 'continue-on-failure' : '',
      d.optional ? 'optional' : '',
      d.requiresEnv.length ? `requires ${d.requiresEnv.join(', ')}` : '',
      d.gates.length ? `gates: ${d.gates.map((g) => g.expression).join(', ')}` : '',
      skip.has(d.id) || d.tags.some((t) => skip.has(t)) ? 'left out with --skip' : '',
    ].filter(Boolean);
    return { id: d.id, name: d.name, kind: d.kind, runs: what, ...(extras.length ? { notes: extras.join('; ') } : {}) };
  };
  const planBaseUrl = baseUrl;
  const tiers = plan.tiers.map((t) => ({
    name: t.name,
    displayName: t.displayName,
    runs: selected.has(t.name),
    reason: reasons.get(t.name) ?? null,
    target: t.targetMs === null ? null : formatDurationText(t.targetMs),
    needs: t.needs,
    services: t.services.map((s) => s.name),
    groups: ((baseUrl = serviceUrl(t.services, planBaseUrl)), t.groups.map((g) => ({ parallel: g.parallel, steps: g.steps.map((s) => describeStep(s.id)) }))),
    gates: t.gates.map((g) => g.expression),
  }));
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ dryRun: true, plan: plan.name, file: located.shown, event, services: plan.services.map((s) => s.name), tiers, gates: plan.gates.map((g) => g.expression) }, null, 2));
    return 0;
  }
  ctx.out(`plan ${plan.name} (${located.shown})${event ? ` for ${event.event}${event.branch ? ` on ${event.branch}` : ''}` : ''}${plan.description ? `: ${plan.description}` : ''}`);
  if (plan.services.length) ctx.out(`  services for the whole plan: ${plan.services.map((s) => s.name).join(', ')}`);
  for (const t of tiers) {
    ctx.out('');
    const head = `${t.runs ? '▶' : '-'} ${t.name}${t.displayName ? ` (${t.displayName})` : ''}${t.target ? `, target ${t.target}` : ''}${t.needs.length ? `, needs ${t.needs.join(', ')}` : ''}`;
    ctx.out(t.runs ? head : `${head}: skipped, ${t.reason}`);
    if (t.services.length) ctx.out(`    services: ${t.services.join(', ')}`);
    let n = 0;
    for (const g of t.groups) {
      if (g.parallel) ctx.out(`    in parallel:`);
      for (const s of g.steps) {
        n++;
        ctx.out(`    ${g.parallel ? '  ' : ''}${n}. ${s.name} [${s.id}]: ${s.runs}${s.notes ? ` (${s.notes})` : ''}`);
      }
    }
    if (t.gates.length) ctx.out(`    gates: ${t.gates.join(', ')}`);
  }
  if (plan.gates.length) ctx.out(`\nplan gates: ${plan.gates.map((g) => g.expression).join(', ')}`);
  return 0;
}

/** `plan show <file>`. */
export async function planShowAction(ctx: CommandContext, file: string, options: PlanCommandOptions): Promise<number> {
  const { located, plan, prepared } = await loadAndPrepare(ctx, file);
  return showPlan(ctx, located, plan, prepared, options);
}

/** Plan files in ./plans, then the bundled ones. */
function planFiles(ctx: CommandContext): LocatedPlan[] {
  const out: LocatedPlan[] = [];
  const local = join(ctx.io.cwd, 'plans');
  if (existsSync(local) && statSync(local).isDirectory()) {
    for (const name of readdirSync(local).sort()) {
      if (/\.ya?ml$/i.test(name)) out.push({ path: join(local, name), shown: join('plans', name), bundled: false });
    }
  }
  if (resolve(local) !== resolve(BUNDLED_DIR) && existsSync(BUNDLED_DIR)) {
    for (const name of readdirSync(BUNDLED_DIR).sort()) {
      if (name.endsWith('.yaml')) out.push({ path: join(BUNDLED_DIR, name), shown: `bundled:${basename(name, '.yaml')}`, bundled: true });
    }
  }
  return out;
}

/** `plan validate [files...]`: every problem of every plan, one per line; exit 2 when any. */
export async function planValidateAction(ctx: CommandContext, files: string[]): Promise<number> {
  const targets = files.length ? files.map((f) => locatePlan(ctx, f)) : planFiles(ctx).filter((p) => !p.bundled);
  if (!targets.length) throw new UsageError('no plan files to check: plans/ has no *.yaml', { hint: 'Name a plan file, or see "shopfds-test plan list".' });
  const { prepareSteps } = await import('../plan/engine.js');
  let bad = 0;
  const report: { file: string; ok: boolean; tiers?: number; steps?: number; problems?: string[] }[] = [];
  for (const located of targets) {
    const read = await readPlan(ctx, located);
    let problems = read.ok ? [] : read.problems;
    if (read.ok) problems = (await prepareSteps(ctx, read.plan)).problems;
    if (problems.length) {
      bad++;
      report.push({ file: located.shown, ok: false, problems });
      if (!ctx.globals.json) for (const p of problems) ctx.err(`${located.shown}: ${p}`);
    } else if (read.ok) {
      const steps = read.plan.tiers.reduce((n, t) => n + t.groups.reduce((m, g) => m + g.steps.length, 0), 0);
      report.push({ file: located.shown, ok: true, tiers: read.plan.tiers.length, steps });
      if (!ctx.globals.json) ctx.out(`${located.shown}: ok (${read.plan.tiers.length} tier${read.plan.tiers.length === 1 ? '' : 's'}, ${steps} step${steps === 1 ? '' : 's'})`);
    }
  }
  if (ctx.globals.json) ctx.out(JSON.stringify(report, null, 2));
  return bad ? ExitCode.usage : ExitCode.ok;
}

/** `plan list`: the plans in ./plans and the bundled ones. */
export async function planListAction(ctx: CommandContext): Promise<number> {
  const rows: { file: string; name: string; tiers: string; steps: number; description: string; problem?: string }[] = [];
  for (const located of planFiles(ctx)) {
    const read = await readPlan(ctx, located);
    if (!read.ok) {
      rows.push({ file: located.shown, name: '-', tiers: '-', steps: 0, description: '', problem: read.problems[0] });
      continue;
    }
    const p = read.plan;
    rows.push({
      file: located.shown,
      name: p.name,
      tiers: p.tiers.map((t) => t.name).join(', '),
      steps: p.tiers.reduce((n, t) => n + t.groups.reduce((m, g) => m + g.steps.length, 0), 0),
      description: p.description ?? '',
    });
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  const { formatColumns } = await import('../columns.js');
  ctx.out(formatColumns(['FILE', 'NAME', 'TIERS', 'STEPS', 'DESCRIPTION'], rows.map((r) => [r.file, r.name, r.tiers, String(r.steps), r.problem ? `invalid: ${r.problem}` : r.description]), [3]));
  return 0;
}

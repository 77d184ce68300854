import { ERROR_CODES, UsageError, errorLine } from '../../model/index.js';
import type { CommandContext } from '../context.js';
import { finishRun, type FinishOptions } from '../session.js';
import { parseSecondsOption } from '../parse.js';
import { parseDurationFlag } from './chaos-kube.js';
import { executeChaosPlan, gateRefusal, planChaosExperiment, refusedRun, type ChaosRunInput } from './chaos-run.js';
import { chaosManifest, type ChaosPlan } from '../../adapters/litmus/index.js';

export { runChaosExperiment, planChaosExperiment, type ChaosRunInput } from './chaos-run.js';

interface DirOptions {
  readonly dir?: string;
}

async function load(ctx: CommandContext, options: DirOptions) {
  const { loadExperiments } = await import('../../adapters/litmus/experiments.js');
  return loadExperiments(ctx.io.cwd, options.dir ?? ctx.globals.config.chaos?.experiments ?? 'scenarios/chaos');
}

/** `chaos list`: the experiment files, one line each. */
export async function chaosListAction(ctx: CommandContext, options: DirOptions): Promise<number> {
  const loaded = await load(ctx, options);
  const rows = loaded.experiments.map((e) => ({
    name: e.definition.name,
    experiment_type: e.definition.experiment_type,
    target_service: e.definition.target_service,
    kubernetes_namespace: e.definition.kubernetes_namespace,
    environment: e.definition.environment,
    approval_required: e.approvalRequired,
    duration_sec: e.definition.duration_sec,
    file: e.file,
  }));
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (!rows.length) {
    ctx.out(`no experiments in ${loaded.dir}`);
    return 0;
  }
  const header = ['NAME', 'TYPE', 'TARGET', 'NAMESPACE', 'ENV', 'APPROVAL', 'DURATION', 'FILE'];
  const table = [header, ...rows.map((r) => [r.name, r.experiment_type, r.target_service, r.kubernetes_namespace, r.environment, r.approval_required ? 'required' : '-', `${r.duration_sec}s`, r.file])];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) ctx.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return 0;
}

/** `chaos validate`: every file parses and passes the schema; problems are listed together (exit 2). */
export async function chaosValidateAction(ctx: CommandContext, files: string[], options: DirOptions): Promise<number> {
  const { loadExperiments } = await import('../../adapters/litmus/experiments.js');
  const targets = files.length ? files : [options.dir ?? ctx.globals.config.chaos?.experiments ?? 'scenarios/chaos'];
  let count = 0;
  const issues: string[] = [];
  const { ConfigError } = await import('../../model/index.js');
  for (const target of targets) {
    try {
      count += (await loadExperiments(ctx.io.cwd, target)).experiments.length;
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else throw error;
    }
  }
  if (issues.length) throw new ConfigError(issues, { hint: 'See docs/release-engineering.md for the experiment file format.', code: ERROR_CODES.usage });
  if (ctx.globals.json) ctx.out(JSON.stringify({ valid: true, experiments: count }));
  else ctx.out(`${count} experiment${count === 1 ? '' : 's'} valid`);
  return 0;
}

/** `chaos show <name>`: the definition and the ChaosEngine that `chaos run` would apply. */
export async function chaosShowAction(ctx: CommandContext, name: string, options: DirOptions & { probeUrl?: string; namespace?: string }): Promise<number> {
  const plan = await planChaosExperiment(ctx, { experiment: name, dir: options.dir, probeUrl: options.probeUrl, namespace: options.namespace });
  const { stringify } = await import('yaml');
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ file: plan.experiment.file, definition: plan.experiment.definition, approval_required: plan.experiment.approvalRequired, manifest: chaosManifest(plan, 'dry-run') }, null, 2));
    return 0;
  }
  ctx.out(`# ${plan.experiment.file}`);
  ctx.out(stringify(plan.experiment.definition).trimEnd());
  ctx.out('---');
  ctx.out(`# ChaosEngine that "chaos run ${name}" applies (engine name gets a fresh suffix each run)`);
  ctx.out(stringify(chaosManifest(plan, 'dry-run')).trimEnd());
  return 0;
}

/** The commander options of `chaos run`, before normalization. */
export interface ChaosRunOptions extends FinishOptions {
  readonly dir?: string;
  readonly env?: 'staging' | 'production';
  readonly approve?: boolean;
  readonly approver?: string;
  readonly dryRun?: boolean;
  readonly probeUrl?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly kubeCacheDir?: string;
  readonly timeout?: string;
  readonly pollInterval?: string;
  readonly recoveryTarget?: string;
  readonly requestTimeout?: string;
  readonly stopTimeout?: string;
}

/** Normalizes flags into a request; bad values are usage errors (exit 2) before anything runs. */
export function chaosRequestFrom(name: string, options: ChaosRunOptions): ChaosRunInput {
  if (options.probeUrl !== undefined) {
    try {
      new URL(options.probeUrl);
    } catch {
      throw new UsageError(`--probe-url must be an absolute URL (got "${options.probeUrl}")`);
    }
  }
  return {
    experiment: name,
    dir: options.dir,
    env: options.env,
    approve: options.approve,
    approver: options.approver,
    probeUrl: options.probeUrl,
    kubeconfig: options.kubeconfig,
    context: options.context,
    namespace: options.namespace,
    kubeCacheDir: options.kubeCacheDir,
    timeoutMs: options.timeout === undefined ? undefined : parseDurationFlag('--timeout', options.timeout, 0),
    pollIntervalMs: options.pollInterval === undefined ? undefined : parseDurationFlag('--poll-interval', options.pollInterval, 0),
    recoveryTargetSec: options.recoveryTarget === undefined ? undefined : parseSecondsOption('--recovery-target', options.recoveryTarget),
    requestTimeout: options.requestTimeout === undefined ? undefined : `${Math.max(1, Math.round(parseDurationFlag('--request-timeout', options.requestTimeout, 0) / 1000))}s`,
    stopTimeoutMs: options.stopTimeout === undefined ? undefined : parseDurationFlag('--stop-timeout', options.stopTimeout, 0),
  };
}

function printPlan(ctx: CommandContext, plan: ChaosPlan, manifestYaml: string): void {
  const d = plan.experiment.definition;
  const gate = plan.gate;
  const lines = [
    `# Plan for chaos experiment "${d.name}" (${plan.experiment.file}) -- dry run, nothing is applied`,
    `#  environment:   ${plan.environment}`,
    `#  approval:      ${gate.required ? (gate.refusal ? `required -- a real run would be refused: ${gate.refusal}` : `required -- approved by ${gate.approver}`) : 'not required'}`,
    `#  kubectl:       ${plan.target.binary}${plan.target.context ? ` --context ${plan.target.context}` : ''} -n ${plan.target.namespace}`,
    `#  1. steady state: pods "${plan.experiment.appLabel}" ready >= ${plan.limits.minReadyPods}${plan.limits.url ? `; HTTP ${plan.limits.url} error rate < ${plan.limits.maxErrorRate ?? 5}%${plan.limits.maxP95Ms !== null ? `, p95 < ${plan.limits.maxP95Ms} ms` : ''}` : '; no HTTP probe'}`,
    `#  2. apply ChaosEngine ${plan.engineName} (${d.experiment_type}, ${d.duration_sec}s)`,
    `#  3. poll ChaosResult ${plan.resultName} every ${plan.pollIntervalMs} ms until Pass/Fail/Stopped; stop the engine after ${Math.round(plan.timeoutMs / 1000)}s`,
    `#  4. recovery: steady state again within ${plan.recoveryTargetSec}s`,
  ];
  for (const line of lines) ctx.out(line);
  ctx.out('---');
  ctx.out(manifestYaml.trimEnd());
}

/** `chaos run <name>`. */
export async function chaosRunAction(ctx: CommandContext, name: string, options: ChaosRunOptions): Promise<number> {
  const request = chaosRequestFrom(name, options);
  const plan = await planChaosExperiment(ctx, request);
  if (options.dryRun) {
    const { stringify } = await import('yaml');
    if (ctx.globals.json) {
      ctx.out(
        JSON.stringify(
          {
            dryRun: true,
            experiment: plan.experiment.definition.name,
            environment: plan.environment,
            gate: { required: plan.gate.required, approver: plan.gate.approver, refusal: plan.gate.refusal },
            engine: plan.engineName,
            chaosResult: plan.resultName,
            namespace: plan.target.namespace,
            manifest: chaosManifest(plan, 'dry-run'),
          },
          null,
          2,
        ),
      );
    } else printPlan(ctx, plan, stringify(chaosManifest(plan, 'dry-run')));
    return 0;
  }
  if (plan.gate.refusal) {
    // Printed first, and stored with the audit entry `refused`; kubectl is never started.
    const refusal = gateRefusal(plan);
    ctx.err(errorLine(refusal.code, refusal.message));
    if (refusal.hint) ctx.err(`  ${refusal.hint}`);
    return finishRun(ctx, refusedRun(ctx, plan), { junit: options.junit, markdown: options.markdown, html: options.html });
  }
  // Until the run is stored, a second Ctrl-C hurries the stop instead of leaving chaos running.
  const release = ctx.holdExit();
  try {
    const run = await executeChaosPlan(ctx, plan);
    return await finishRun(ctx, run, { junit: options.junit, markdown: options.markdown, html: options.html });
  } finally {
    release();
  }
}

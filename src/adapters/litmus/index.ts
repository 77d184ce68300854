import { makeCase, type ChaosExperiment } from '../../model/index.js';
import { detectKubectl } from '../../exec/kubectl.js';
import type { ParseContext, ToolAdapter, ToolEvent, ToolResult } from '../types.js';
import { LITMUS_EXPERIMENTS } from './engine.js';
import { experimentRecordBase } from './experiment-file.js';
import { chaosManifest, planChaos, type ChaosPlan, type ChaosRunRequest } from './plan.js';
import { executeChaos, type ChaosCapture, type ChaosInvocation } from './run.js';

export { planChaos, chaosManifest, manualStopCommand, evaluateGate, ciIdentityFrom, type ChaosPlan, type ChaosRunRequest, type GateDecision } from './plan.js';
export { executeChaos, type ChaosCapture, type ChaosInvocation, type ChaosExecuteIo } from './run.js';

/** A capture for a run the gate refused: nothing was sent to the cluster, the refusal is audited. */
export function refusedCapture(plan: ChaosPlan, actor: string, runStartedAt: string): ChaosCapture {
  const def = plan.experiment.definition;
  const at = new Date().toISOString();
  return {
    toolVersion: null,
    audit: [
      { at: runStartedAt, actor: (def.created_by ?? actor).slice(0, 100), action: 'created', detail: `experiment ${plan.experiment.file}; engine ${plan.engineName}` },
      {
        at,
        actor: (plan.gate.approver ?? actor).slice(0, 100),
        action: 'refused',
        detail: `${plan.gate.refusal}; requested by ${actor}${plan.gate.approverSource ? ` (approver from ${plan.gate.approverSource})` : ''}; nothing was sent to the cluster`,
      },
    ],
    observations: [],
    cases: [{ suite: 'gate', name: 'approval', status: 'failed', errorMessage: plan.gate.refusal, properties: { approver: plan.gate.approver ?? '', environment: plan.environment } }],
    metrics: [],
    status: 'failed',
    result: 'failed',
    startedAt: null,
    completedAt: at,
    recoverySec: null,
    verdict: null,
    toolError: null,
    interrupted: null,
    manualStop: null,
  };
}

/** Makes the stored run's parts of a capture. Pure. */
export function parseChaosCapture(cap: ChaosCapture, plan: ChaosPlan, at: Pick<ParseContext, 'run' | 'requestedName'>): ToolResult {
  const def = plan.experiment.definition;
  const cases = cap.cases.map((c, ordinal) =>
    makeCase({
      ordinal,
      suitePath: [def.name, c.suite],
      name: c.name,
      file: plan.experiment.file,
      status: c.status,
      durationMs: c.durationMs ?? 0,
      errorMessage: c.errorMessage ?? null,
      tags: [def.experiment_type, ...def.tags],
      properties: c.properties ?? {},
    }),
  );
  const experiment: ChaosExperiment = {
    ...experimentRecordBase(def),
    // The URL the steady state was checked against (--probe-url or the file's).
    steady_state_hypothesis: {
      ...def.steady_state_hypothesis,
      ...(plan.limits.url ? { url: plan.limits.url } : {}),
      ...(plan.limits.url && def.steady_state_hypothesis.url && plan.limits.url !== def.steady_state_hypothesis.url ? { file_url: def.steady_state_hypothesis.url } : {}),
    },
    status: cap.status,
    started_at: cap.startedAt,
    completed_at: cap.status === 'completed' || cap.status === 'stopped' || cap.status === 'failed' ? (cap.completedAt ?? new Date().toISOString()) : null,
    result: cap.result,
    recovery_time_sec: cap.recoverySec,
    recovery_target_sec: plan.recoveryTargetSec,
    chaos_engine_name: plan.engineName,
    kubernetes_namespace: plan.target.namespace,
    environment: plan.environment,
    approval_required: plan.gate.required,
    approved_by: plan.gate.required && !plan.gate.refusal ? plan.gate.approver : null,
    created_by: (def.created_by ?? at.run.executedBy).slice(0, 100),
    observations: cap.observations,
    audit: cap.audit,
  };
  const interrupted = cap.interrupted !== null;
  const errorMessage =
    cap.toolError ??
    (interrupted ? `interrupted by ${cap.interrupted}${cap.manualStop ? `; stop not confirmed: ${cap.manualStop}` : cap.startedAt ? `; ChaosEngine ${plan.engineName} stopped` : '; nothing was applied'}` : null) ??
    (plan.gate.refusal && cap.startedAt === null && cap.cases[0]?.suite === 'gate' ? plan.gate.refusal : null);
  return {
    type: 'run',
    outcome: {
      name: at.requestedName ?? def.name,
      cases,
      details: { kind: 'chaos', chaos: { experiment } },
      metrics: cap.metrics,
      toolError: cap.toolError,
      interrupted,
      errorMessage,
      toolVersion: cap.toolVersion,
      metadata: {
        chaos_engine: plan.engineName,
        chaos_result: plan.resultName,
        litmus_experiment: LITMUS_EXPERIMENTS[def.experiment_type],
        namespace: plan.target.namespace,
        ...(plan.target.context ? { kube_context: plan.target.context } : {}),
        verdict: cap.verdict ?? '',
        experiment_file: plan.experiment.file,
        ...(cap.manualStop ? { manual_stop_command: cap.manualStop } : {}),
      },
    },
  };
}

/** The Litmus adapter: polled through kubectl, never spawned by the pipeline. */
export const adapter: ToolAdapter<ChaosRunRequest, ChaosPlan, ChaosInvocation, ChaosCapture> = {
  name: 'litmus',
  kind: 'chaos',
  resolve: (request, at) => planChaos(request, at.cwd, Math.random().toString(16).slice(2, 8).padEnd(6, '0')),
  async detect(_at, plan) {
    const version = await detectKubectl(plan.target);
    return { name: 'kubectl', version, path: plan.target.binary };
  },
  target: () => ({ mode: 'none' }),
  buildInvocation(plan, at) {
    const t = plan.target;
    return {
      commandLine: [t.binary, 'apply', '--validate=false', '-f', '-', ...(t.context ? ['--context', t.context] : []), '-n', t.namespace].join(' '),
      plan,
      manifest: chaosManifest(plan, at.run.id),
      runStartedAt: at.run.startedAt,
      actor: at.run.executedBy,
      toolVersion: at.tool.version,
    };
  },
  execute: (inv, io) => executeChaos(inv, io),
  describe(event: ToolEvent) {
    switch (event.type) {
      case 'note':
        return event.text;
      case 'phase':
        return null;
      default:
        return null;
    }
  },
  parse: (capture, plan, at) => parseChaosCapture(capture, plan, at),
};

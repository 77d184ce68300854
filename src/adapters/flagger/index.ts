import { makeCase, type CanaryDeployment, type CaseStatus } from '../../model/index.js';
import { detectKubectl } from '../../exec/kubectl.js';
import type { ParseContext, ToolAdapter, ToolEvent, ToolResult } from '../types.js';
import { analysisSettings, canaryStatusFor, rollbackReason } from './canary.js';
import { canaryMetricRows, watchCanary, type CanaryCapture, type CanaryInvocation, type CanaryPlan, type CanaryRequest } from './watch.js';

export { watchCanary, NO_PREVIOUS_VERSION, type CanaryCapture, type CanaryInvocation, type CanaryPlan, type CanaryRequest } from './watch.js';

/** Makes the stored run's parts of what the watch saw. Pure. */
export function parseCanaryCapture(cap: CanaryCapture, plan: CanaryPlan, at: Pick<ParseContext, 'run' | 'requestedName'>): ToolResult {
  const last = cap.polls.at(-1)!;
  const s = last.snapshot;
  const settings = analysisSettings(last.canary);
  const namespace = last.canary.metadata.namespace ?? plan.target.namespace ?? 'default';
  const timeoutSec = Math.round(plan.timeoutMs / 1000);
  const { rows, samples } = canaryMetricRows(cap, plan.name);
  const latest = (pick: (r: (typeof rows)[number]) => number | null) => rows.map(pick).filter((v): v is number => v !== null).at(-1) ?? null;
  let status: CanaryDeployment['status'] = canaryStatusFor(s.phase);
  let rollback: string | null = null;
  let message: string | null = null;
  const cases: { name: string; status: CaseStatus; errorMessage: string | null; properties: Record<string, string> }[] = [];
  const props = { phase: s.phase ?? '', weight: String(s.weight), failed_checks: String(s.failedChecks ?? ''), iterations: String(s.iterations ?? '') };
  switch (cap.outcome) {
    case 'succeeded':
      cases.push({ name: 'analysis', status: 'passed', errorMessage: null, properties: props });
      cases.push({ name: `primary runs ${cap.newVersion}`, status: 'passed', errorMessage: null, properties: { primary_image: last.primaryImage ?? '' } });
      break;
    case 'initialized':
      status = 'succeeded';
      cases.push({ name: 'initialized (first deployment, no analysis)', status: 'passed', errorMessage: null, properties: { ...props, primary_image: last.primaryImage ?? '' } });
      break;
    case 'primary-mismatch':
      status = 'failed';
      message = `Flagger reports Succeeded but ${last.canary.spec.targetRef.name}-primary runs ${last.primaryImage ?? 'nothing'}, not ${cap.newVersion}`;
      cases.push({ name: 'analysis', status: 'passed', errorMessage: null, properties: props });
      cases.push({ name: `primary runs ${cap.newVersion}`, status: 'failed', errorMessage: message, properties: { primary_image: last.primaryImage ?? '' } });
      break;
    case 'rollback':
      rollback = `${rollbackReason(s, settings.threshold)}${last.readings.lastHalt ? `; last check: ${last.readings.lastHalt}` : ''}`;
      cases.push({ name: 'analysis', status: 'failed', errorMessage: `rolled back: ${rollback}`, properties: props });
      break;
    case 'timeout':
      // Not a rollback: Flagger was still at it. Stored with the last phase and weight.
      message = `timed out after ${timeoutSec}s waiting for canary ${plan.name} (phase ${s.phase ?? 'none'}, weight ${s.weight}%)`;
      cases.push({ name: 'analysis', status: 'timed_out', errorMessage: message, properties: props });
      break;
    case 'interrupted':
      cases.push({ name: 'analysis', status: 'interrupted', errorMessage: `interrupted by ${cap.interruptedBy ?? 'SIGINT'} in phase ${s.phase ?? 'none'}`, properties: props });
      break;
    case 'api-error':
      message = cap.apiError;
      cases.push({ name: 'analysis', status: 'skipped', errorMessage: `no verdict: ${cap.apiError}`, properties: props });
      break;
    case 'snapshot':
      cases.push({ name: `phase ${s.phase ?? 'unknown'}`, status: s.phase === 'Failed' && !last.staleFailure ? 'failed' : 'passed', errorMessage: null, properties: props });
      if (s.phase === 'Failed' && !last.staleFailure) {
        rollback = `${rollbackReason(s, settings.threshold)}${last.readings.lastHalt ? `; last check: ${last.readings.lastHalt}` : ''}`;
        cases[0]!.errorMessage = `rolled back: ${rollback}`;
      }
      break;
  }
  const deployment: CanaryDeployment = {
    service_name: last.canary.spec.targetRef.name.slice(0, 100),
    old_version: cap.oldVersion!,
    new_version: cap.newVersion!,
    traffic_weight: s.weight,
    error_rate: latest((r) => r.error_rate),
    response_time_p95: latest((r) => r.response_time_p95),
    request_success_rate: latest((r) => r.request_success_rate),
    started_at: cap.startedAt,
    completed_at: cap.completedAt,
    status,
    rollback_reason: rollback,
    analysis_interval_sec: settings.intervalSec,
    threshold_max_error_rate: settings.maxErrorRate,
    threshold_max_response_time: settings.maxResponseTimeMs,
    flagger_canary_name: plan.name,
    kubernetes_namespace: namespace,
    created_by: at.run.executedBy,
    metrics: rows,
  };
  const interrupted = cap.outcome === 'interrupted';
  return {
    type: 'run',
    outcome: {
      name: at.requestedName ?? plan.name,
      cases: cases.map((c, ordinal) => makeCase({ ordinal, suitePath: [`canary ${plan.name}`], name: c.name, status: c.status, errorMessage: c.errorMessage, properties: c.properties })),
      details: { kind: 'canary', canary: { deployment } },
      metrics: samples,
      toolError: cap.apiError,
      interrupted,
      errorMessage: interrupted ? `interrupted by ${cap.interruptedBy ?? 'SIGINT'}` : message,
      toolVersion: cap.toolVersion,
      metadata: {
        flagger_phase: s.phase ?? '',
        canary_weight: String(s.weight),
        target_image: last.targetImage,
        primary_image: last.primaryImage ?? '',
        namespace,
        ...(s.lastAppliedSpec ? { last_applied_spec: s.lastAppliedSpec } : {}),
        ...(s.lastPromotedSpec ? { last_promoted_spec: s.lastPromotedSpec } : {}),
        ...(cap.outcome === 'timeout' ? { timed_out: 'true' } : {}),
        ...(cap.outcome === 'initialized' ? { first_deployment: 'true' } : {}),
        ...(cap.apiRetries.length ? { api_errors: String(cap.apiRetries.length), last_api_error: cap.apiRetries.at(-1)! } : {}),
      },
    },
  };
}

/** The Flagger adapter: read-only polling through kubectl. */
export const adapter: ToolAdapter<CanaryRequest, CanaryPlan, CanaryInvocation, CanaryCapture> = {
  name: 'flagger',
  kind: 'canary',
  resolve: (request) => request,
  async detect(_at, plan) {
    return { name: 'kubectl', version: await detectKubectl(plan.target), path: plan.target.binary };
  },
  target: () => ({ mode: 'none' }),
  buildInvocation(plan, at) {
    const t = plan.target;
    const args = [plan.watch ? 'watch' : 'status', plan.name, ...(t.namespace ? ['-n', t.namespace] : []), ...(t.context ? ['--context', t.context] : [])];
    return { commandLine: `shopfds-test canary ${args.join(' ')}`, plan, toolVersion: at.tool.version };
  },
  execute: (inv, io) => watchCanary(inv, io),
  describe: (event: ToolEvent) => (event.type === 'note' ? event.text : null),
  parse: (capture, plan, at) => parseCanaryCapture(capture, plan, at),
};

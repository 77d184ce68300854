import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ChaosResultSchema, summarizeChaosResult } from '../../src/adapters/litmus/result.js';
import { ChaosExperimentFileSchema, resolveExperiment, steadyStateLimits } from '../../src/adapters/litmus/experiment-file.js';
import { chaosResultName, engineNameFor, experimentEnv, renderChaosEngine, LITMUS_EXPERIMENTS } from '../../src/adapters/litmus/engine.js';
import { CHAOS_EXPERIMENT_TYPES } from '../../src/model/index.js';
import { parseDurationMs } from '../../src/adapters/kube/duration.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

const REF = `${REFERENCE}/litmus`;

const result = (status: unknown) => summarizeChaosResult(ChaosResultSchema.parse({ metadata: { name: 'e-pod-delete' }, status }));

const base = {
  name: 'fds-pod-delete',
  experiment_type: 'pod_delete',
  target_service: 'fds',
  hypothesis: 'recovers',
  steady_state_hypothesis: { url: 'http://fds/health', error_rate: '<5%', response_time_p95: '<0.2s', ready_pods: 2 },
  duration_sec: 30,
  kubernetes_namespace: 'shop',
};

describe('ChaosResult summary', () => {
  it('reads the documented Pass result (describe output of the Litmus docs, as JSON keys)', () => {
    // Litmus docs: "Experiment Status: Fail Step: N/A, Phase: Completed, Probe Success Percentage: 100, Verdict: Pass".
    const text = readFileSync(`${REF}/litmus-docs-chaosresult-describe-experiment-status.txt`, 'utf8');
    expect(text).toContain('Verdict:                   Pass');
    const s = result({ experimentStatus: { failStep: 'N/A', phase: 'Completed', probeSuccessPercentage: '100', verdict: 'Pass' }, history: { passedRuns: 1, failedRuns: 1, stoppedRuns: 0 } });
    expect(s).toMatchObject({ phase: 'Completed', verdict: 'Pass', finished: true, probeSuccessPercentage: 100, failStep: null });
  });

  it('treats a Fail verdict while the phase is still Running as unfinished', () => {
    expect(result({ experimentStatus: { phase: 'Running', verdict: 'Fail' } }).finished).toBe(false);
    expect(result({ experimentStatus: { phase: '', verdict: '' }, history: { failedRuns: 1 } }).finished).toBe(false);
    expect(result({ experimentStatus: { phase: 'Running', verdict: 'Awaited' } }).finished).toBe(false);
  });

  it('reads an aborted run (verdict Stopped, phase Completed) and the 3.x errorOutput', () => {
    const stopped = result({ experimentStatus: { phase: 'Completed', verdict: 'Stopped', failStep: 'Chaos injection stopped!' } });
    expect(stopped).toMatchObject({ verdict: 'Stopped', finished: true, failStep: 'Chaos injection stopped!' });
    const failed = result({ experimentStatus: { phase: 'Completed_With_Probe_Failure', verdict: 'Fail', errorOutput: { errorCode: 'PROBE_ERROR', reason: 'probe failed' } } });
    expect(failed).toMatchObject({ verdict: 'Fail', finished: true, failStep: 'PROBE_ERROR: probe failed' });
  });

  it('reads 1.x probeStatus strings with emoji and 3.x probeStatuses', () => {
    const old = result({
      experimentstatus: { phase: 'Completed', verdict: 'Pass' },
      probeStatus: [
        { name: 'check-frontend-access-url', type: 'HTTPProbe', status: { Continuous: 'Passed 👍' } },
        { name: 'check-database-integrity', type: 'CmdProbe', status: { 'Post Chaos': 'Better Luck Next Time 👎', 'Pre Chaos': 'Passed 👍' } },
      ],
    });
    expect(old.verdict).toBe('Pass');
    expect(old.probes.map((p) => `${p.name}:${p.verdict}`)).toEqual(['check-frontend-access-url:Passed', 'check-database-integrity:Failed']);
    const v3 = result({ experimentStatus: { phase: 'Running', verdict: 'Awaited' }, probeStatuses: [{ name: 'p', type: 'httpProbe', mode: 'SOT', status: { verdict: 'N/A' } }] });
    expect(v3.probes[0]).toMatchObject({ name: 'p', mode: 'SOT', verdict: 'N/A' });
  });
});

describe('experiment files and the ChaosEngine', () => {
  it('renders the same shape as the reference pod-delete ChaosEngine of the chaos charts', () => {
    const reference = parse(readFileSync(`${REF}/chaos-charts-pod-delete-chaosengine.yaml`, 'utf8'));
    const def = ChaosExperimentFileSchema.parse({ ...base, method: { chaos_interval: '10s', force: false } });
    const exp = resolveExperiment('scenarios/chaos/fds-pod-delete.yaml', def);
    const limits = steadyStateLimits(def.steady_state_hypothesis);
    const engine = renderChaosEngine(exp, { engineName: engineNameFor(exp, 'abc123'), runId: 'r', limits, approvedBy: null }) as any;
    expect(engine.apiVersion).toBe(reference.apiVersion);
    expect(engine.kind).toBe(reference.kind);
    expect(Object.keys(engine.spec)).toEqual(expect.arrayContaining(Object.keys(reference.spec)));
    expect(engine.spec.experiments[0].name).toBe(reference.spec.experiments[0].name);
    const refEnv = reference.spec.experiments[0].spec.components.env.map((e: any) => e.name);
    const ourEnv = engine.spec.experiments[0].spec.components.env.map((e: any) => e.name);
    expect(ourEnv).toEqual(expect.arrayContaining(refEnv.filter((n: string) => n !== 'PODS_AFFECTED_PERC')));
    expect(engine.metadata.name).toBe('fds-pod-delete-abc123');
    expect(chaosResultName(engine.metadata.name, def)).toBe('fds-pod-delete-abc123-pod-delete');
    expect(limits).toEqual({ url: 'http://fds/health', requests: 5, maxErrorRate: 5, maxP95Ms: 200, minReadyPods: 2 });
  });

  it('maps every seed experiment type onto a Litmus experiment with its env knobs', () => {
    const expected: Record<string, string> = {
      pod_delete: 'CHAOS_INTERVAL',
      network_latency: 'NETWORK_LATENCY',
      network_loss: 'NETWORK_PACKET_LOSS_PERCENTAGE',
      cpu_stress: 'CPU_CORES',
      memory_stress: 'MEMORY_CONSUMPTION',
      disk_stress: 'FILL_PERCENTAGE',
    };
    for (const type of CHAOS_EXPERIMENT_TYPES) {
      const def = ChaosExperimentFileSchema.parse({ ...base, experiment_type: type });
      expect(LITMUS_EXPERIMENTS[type]).toMatch(/^[a-z-]+$/);
      expect(experimentEnv(def).map((e) => e.name)).toContain(expected[type]);
    }
  });

  it('makes production imply approval and rejects opting out', () => {
    const prod = ChaosExperimentFileSchema.parse({ ...base, environment: 'production' });
    expect(resolveExperiment('x.yaml', prod).approvalRequired).toBe(true);
    expect(ChaosExperimentFileSchema.safeParse({ ...base, environment: 'production', approval_required: false }).success).toBe(false);
    expect(ChaosExperimentFileSchema.safeParse({ ...base, duration_sec: 601 }).success).toBe(false);
    expect(ChaosExperimentFileSchema.safeParse({ ...base, method: { total_duration: '45s' } }).success).toBe(false);
  });

  it('parses durations', () => {
    expect(parseDurationMs('200ms')).toBe(200);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('15')).toBe(15_000);
    expect(parseDurationMs('soon')).toBeNull();
  });
});

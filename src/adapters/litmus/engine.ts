import type { ChaosExperimentFile, ResolvedExperiment, SteadyStateLimits } from './experiment-file.js';
import type { ChaosExperiment } from '../../model/index.js';
import { parseDurationMs } from '../kube/duration.js';

/** The Litmus experiment (ChaosExperiment CR name in the litmus hub) for each seed experiment type. */
export const LITMUS_EXPERIMENTS: Readonly<Record<ChaosExperiment['experiment_type'], string>> = {
  pod_delete: 'pod-delete',
  network_latency: 'pod-network-latency',
  network_loss: 'pod-network-loss',
  cpu_stress: 'pod-cpu-hog',
  memory_stress: 'pod-memory-hog',
  disk_stress: 'disk-fill',
};

export interface EngineEnvVar {
  readonly name: string;
  readonly value: string;
}

/** The env variables the litmus-go experiment reads, from the file's method and duration. */
export function experimentEnv(e: ChaosExperimentFile): EngineEnvVar[] {
  const m = e.method;
  const env: EngineEnvVar[] = [{ name: 'TOTAL_CHAOS_DURATION', value: String(e.duration_sec) }];
  const secs = (d: string | undefined) => (d ? String(Math.max(1, Math.round((parseDurationMs(d) ?? 0) / 1000))) : undefined);
  const push = (name: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) env.push({ name, value: String(value) });
  };
  if (e.target_pod) push('TARGET_PODS', e.target_pod);
  push('PODS_AFFECTED_PERC', m.pods_affected_perc);
  switch (e.experiment_type) {
    case 'pod_delete':
      push('CHAOS_INTERVAL', secs(m.chaos_interval) ?? '10');
      push('FORCE', m.force ?? false);
      break;
    case 'network_latency':
      push('NETWORK_LATENCY', m.network_latency_ms ?? 2000);
      push('JITTER', m.jitter_ms ?? 0);
      push('NETWORK_INTERFACE', m.network_interface ?? 'eth0');
      break;
    case 'network_loss':
      push('NETWORK_PACKET_LOSS_PERCENTAGE', m.packet_loss_percentage ?? 100);
      push('NETWORK_INTERFACE', m.network_interface ?? 'eth0');
      break;
    case 'cpu_stress':
      push('CPU_CORES', m.cpu_cores ?? 1);
      push('CPU_LOAD', m.cpu_load ?? 100);
      break;
    case 'memory_stress':
      push('MEMORY_CONSUMPTION', m.memory_consumption_mb ?? 500);
      break;
    case 'disk_stress':
      push('FILL_PERCENTAGE', m.fill_percentage ?? 80);
      break;
  }
  if (e.experiment_type === 'network_latency' || e.experiment_type === 'network_loss' || e.experiment_type === 'cpu_stress' || e.experiment_type === 'memory_stress') {
    push('CONTAINER_RUNTIME', m.container_runtime ?? 'containerd');
    push('SOCKET_PATH', m.socket_path ?? '/run/containerd/containerd.sock');
  }
  return env;
}

/** A Kubernetes-safe engine name: `<base>-<suffix>`, at most 40 characters so the ChaosResult name fits. */
export function engineNameFor(experiment: ResolvedExperiment, suffix: string): string {
  const fromFile = experiment.file
    .replace(/^.*\//, '')
    .replace(/\.ya?ml$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const base = fromFile || `${experiment.definition.target_service}-${LITMUS_EXPERIMENTS[experiment.definition.experiment_type]}`.toLowerCase();
  return `${base.slice(0, 40 - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}

/** `<engine>-<experiment>`: the name the operator gives the ChaosResult. */
export function chaosResultName(engineName: string, experiment: ChaosExperimentFile): string {
  return `${engineName}-${LITMUS_EXPERIMENTS[experiment.experiment_type]}`;
}

export interface RenderEngineOptions {
  readonly engineName: string;
  readonly runId: string;
  readonly limits: SteadyStateLimits;
  readonly approvedBy: string | null;
}

/**
 * Renders the ChaosEngine (litmuschaos.io/v1alpha1) for one experiment. When the hypothesis has a URL,
 * a continuous HTTP probe (Litmus 3.x `httpProbe/inputs` form) checks it during chaos, so the
 * ChaosResult's probe statuses carry the steady state too.
 */
export function renderChaosEngine(experiment: ResolvedExperiment, options: RenderEngineOptions): Record<string, unknown> {
  const e = experiment.definition;
  const litmusName = LITMUS_EXPERIMENTS[e.experiment_type];
  const probes = options.limits.url
    ? [
        {
          name: `${e.target_service}-steady-state`.slice(0, 63),
          type: 'httpProbe',
          mode: 'Continuous',
          'httpProbe/inputs': {
            url: options.limits.url,
            insecureSkipVerify: false,
            method: { get: { criteria: '==', responseCode: '200' } },
          },
          runProperties: { probeTimeout: '5s', interval: '2s', retry: 1, probePollingInterval: '2s' },
        },
      ]
    : [];
  return {
    apiVersion: 'litmuschaos.io/v1alpha1',
    kind: 'ChaosEngine',
    metadata: {
      name: options.engineName,
      namespace: e.kubernetes_namespace,
      labels: {
        'app.kubernetes.io/managed-by': 'shopfds-test',
        'shopfds.io/run-id': options.runId,
      },
      annotations: {
        'shopfds.io/experiment': e.name,
        ...(options.approvedBy ? { 'shopfds.io/approved-by': options.approvedBy } : {}),
      },
    },
    spec: {
      engineState: 'active',
      annotationCheck: 'false',
      appinfo: { appns: e.kubernetes_namespace, applabel: experiment.appLabel, appkind: e.app_kind },
      chaosServiceAccount: e.chaos_service_account,
      jobCleanUpPolicy: 'retain',
      experiments: [
        {
          name: litmusName,
          spec: {
            components: { env: experimentEnv(e) },
            ...(probes.length ? { probe: probes } : {}),
          },
        },
      ],
    },
  };
}

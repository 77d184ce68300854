/**
 * A stand-in Kubernetes API server for tests (there is no cluster here). It speaks enough of the API
 * for the real kubectl: discovery (`/version`, `/api`, `/apis`, resource lists), get (single and list
 * with labelSelector), create (POST), patch (merge, strategic merge treated as merge, apply-patch+yaml),
 * put and delete. It simulates the Litmus operator (ChaosEngine -> ChaosResult Awaited -> Pass/Fail,
 * `engineState: stop` -> Stopped, pods NotReady during chaos) and the Flagger controller (Canary phases,
 * weights, failed checks, primary promotion), following the statuses in ../shared/reference/litmus and
 * ../shared/reference/flagger. Every request is logged so tests can assert what reached the cluster.
 *
 * Timelines: chaos runs `chaosMs`, the post-chaos checks take `verdictDelayMs` before the verdict is
 * written, and the target pods turn Ready `recoveryMs` after the end of chaos, with the real
 * `lastTransitionTime` of their Ready condition (second precision, as the API server writes it).
 * The operator's Events (ChaosEngineInitialized, ChaosInject, PostChaosCheck, Summary,
 * ChaosEngineCompleted / ChaosEngineStopped) are written on the ChaosEngine as litmus-go does.
 * Faults: `faults` (or `addFault`) answer given paths with an error status, or never answer (hung).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly contentType: string | null;
  readonly body: unknown;
  readonly at: number;
}

interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames?: string[];
}

const RESOURCES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: 'apps', version: 'v1', plural: 'deployments', singular: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] },
  { group: 'litmuschaos.io', version: 'v1alpha1', plural: 'chaosengines', singular: 'chaosengine', kind: 'ChaosEngine', namespaced: true },
  { group: 'litmuschaos.io', version: 'v1alpha1', plural: 'chaosresults', singular: 'chaosresult', kind: 'ChaosResult', namespaced: true },
  { group: 'flagger.app', version: 'v1beta1', plural: 'canaries', singular: 'canary', kind: 'Canary', namespaced: true },
];

/** How the simulated Litmus operator ends an experiment. */
export interface ChaosScenario {
  /** Pass, Fail, or Awaited (never finishes until stopped). */
  readonly verdict: 'Pass' | 'Fail' | 'Awaited';
  /** Delay before the ChaosResult exists (the runner starting). */
  readonly resultDelayMs: number;
  /** How long chaos runs before the verdict. */
  readonly chaosMs: number;
  /** From the end of chaos until the target pods are Ready again. */
  readonly recoveryMs: number;
  /** Delay between the stop patch and the Stopped verdict; Infinity: the operator never confirms. */
  readonly stopDelayMs: number;
  /** From the end of chaos until the verdict is written (post-chaos checks and probes). */
  readonly verdictDelayMs: number;
}

/** An injected API fault: requests matching `method` and `path` get `status` (or no answer at all). */
export interface FaultRule {
  readonly method?: string;
  /** A substring of the request path, or a pattern. */
  readonly path: string | RegExp;
  /** 'hang' never answers (kubectl runs into its --request-timeout). */
  readonly action: 'hang' | { readonly status: number; readonly reason?: string; readonly message?: string };
  /** How many matching requests get the fault (default: all). */
  times?: number;
  /** Matching requests let through before the fault starts (default 0). */
  skip?: number;
  /** The fault applies only while this holds (checked per request). */
  readonly when?: () => boolean;
}

/** How the simulated Flagger controller moves a canary, one step per `stepMs`. */
export interface CanaryScenario {
  readonly name: string;
  readonly namespace: string;
  /** 'failed': this revision was rolled back before the test starts (status Failed, its Events in the past). */
  readonly outcome: 'promote' | 'rollback' | 'stuck' | 'failed';
  readonly oldVersion: string;
  readonly newVersion: string;
  /** Time between steps; 0 advances one step per read of the canary instead (deterministic under load). */
  readonly stepMs: number;
  readonly threshold?: number;
  /**
   * What the canary shows before this rollout: 'succeeded' (default; the previous rollout was
   * promoted), 'failed' (the previous revision was rolled back: phase Failed, with its Events), or
   * 'none' (a first deploy: phase Initializing and no `<target>-primary` until Flagger initializes it).
   */
  readonly previous?: 'succeeded' | 'failed' | 'none';
}

export interface PodSeed {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ready: boolean;
  /** A pod that is not Ready at first turns Ready this long after the server starts. */
  readonly readyAfterMs?: number;
}

export interface KubeApiServerOptions {
  readonly chaos?: Partial<ChaosScenario>;
  readonly pods?: readonly PodSeed[];
  readonly canaries?: readonly CanaryScenario[];
  /** Requests this matches are logged and never answered (a hung API server). */
  readonly hang?: (method: string, path: string) => boolean;
  readonly faults?: readonly FaultRule[];
}

export interface KubeApiServer {
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** Requests that change state (POST, PUT, PATCH, DELETE). */
  mutations(): LoggedRequest[];
  get(plural: string, namespace: string, name: string): Record<string, any> | undefined;
  /** Adds an API fault from now on. */
  addFault(rule: FaultRule): void;
  /** Requests that matched a fault rule. */
  readonly faulted: LoggedRequest[];
  /** Writes a kubeconfig pointing at this server and returns its path. */
  writeKubeconfig(dir: string, options?: { namespace?: string; context?: string }): string;
  close(): Promise<void>;
}

type Obj = Record<string, any>;

const now = () => new Date().toISOString();
/** The API server writes event times and condition transitions with second precision. */
const nowSec = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function podObject(seed: PodSeed): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: seed.name, namespace: seed.namespace, labels: { ...seed.labels }, uid: randomUUID(), creationTimestamp: now() },
    spec: { containers: [{ name: 'app', image: 'ghcr.io/shopfds/app:v1.0.0' }] },
    status: podStatus(seed.ready),
  };
}

function podStatus(ready: boolean): Obj {
  return {
    phase: 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: nowSec() },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: nowSec(), ...(ready ? {} : { reason: 'ContainersNotReady' }) },
      { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: nowSec() },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: nowSec() },
    ],
  };
}

function deploymentObject(name: string, namespace: string, image: string): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, uid: randomUUID(), generation: 1, creationTimestamp: now() },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: name.replace(/-primary$/, ''), image }] } },
    },
    status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 },
  };
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Obj = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function matchesSelector(labels: Record<string, string> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const t = term.trim();
    if (!t) return true;
    const neq = /^([^!=]+)!=(.*)$/.exec(t);
    if (neq) return labels?.[neq[1]!.trim()] !== neq[2]!.trim();
    const eq = /^([^=]+)==?(.*)$/.exec(t);
    if (eq) return labels?.[eq[1]!.trim()] === eq[2]!.trim();
    return labels?.[t] !== undefined;
  });
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const chaos: ChaosScenario = { verdict: 'Pass', resultDelayMs: 300, chaosMs: 800, recoveryMs: 300, stopDelayMs: 200, verdictDelayMs: 0, ...options.chaos };
  const requests: LoggedRequest[] = [];
  const faulted: LoggedRequest[] = [];
  const faults: FaultRule[] = (options.faults ?? []).map((f) => ({ ...f }));
  const objects = new Map<string, Obj>();
  const timers = new Set<NodeJS.Timeout>();
  let resourceVersion = 1000;
  let port = 0;

  const key = (plural: string, ns: string, name: string) => `${plural}/${ns}/${name}`;
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const store = (plural: string, obj: Obj) => {
    obj.metadata.resourceVersion = String(++resourceVersion);
    objects.set(key(plural, obj.metadata.namespace ?? '', obj.metadata.name), obj);
  };
  const lookup = (plural: string, ns: string, name: string) => objects.get(key(plural, ns, name));
  const update = (plural: string, ns: string, name: string, fn: (o: Obj) => void) => {
    const o = lookup(plural, ns, name);
    if (!o) return;
    fn(o);
    o.metadata.resourceVersion = String(++resourceVersion);
  };

  for (const pod of options.pods ?? []) {
    store('pods', podObject(pod));
    if (!pod.ready && pod.readyAfterMs !== undefined)
      later(pod.readyAfterMs, () =>
        update('pods', pod.namespace, pod.name, (o) => {
          o.status = podStatus(true);
        }),
      );
  }

  // --- Events ---------------------------------------------------------------------------------------
  let eventSeq = 0;
  const emitEventOn = (kind: string, ns: string, object: string, reason: string, message: string, type: 'Normal' | 'Warning', component: string, at = nowSec()) =>
    store('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${object}.${(++eventSeq).toString(16).padStart(8, '0')}`, namespace: ns, uid: randomUUID(), creationTimestamp: at },
      involvedObject: { kind, name: object, namespace: ns, apiVersion: kind === 'Canary' ? 'flagger.app/v1beta1' : 'litmuschaos.io/v1alpha1' },
      reason,
      message,
      type,
      source: { component },
      count: 1,
      firstTimestamp: at,
      lastTimestamp: at,
    });

  // --- Litmus operator ---------------------------------------------------------------------------
  interface EngineState {
    done: boolean;
    resultName: string | null;
    pending: NodeJS.Timeout[];
    selector: string;
    ns: string;
    experiment: string;
  }
  const engines = new Map<string, EngineState>();
  const setTargetsReady = (ns: string, selector: string, ready: boolean) => {
    for (const o of objects.values()) {
      if (o.kind === 'Pod' && o.metadata.namespace === ns && matchesSelector(o.metadata.labels, selector)) {
        o.status = podStatus(ready);
        o.metadata.resourceVersion = String(++resourceVersion);
      }
    }
  };
  const recoverLater = (st: EngineState) => later(chaos.recoveryMs, () => setTargetsReady(st.ns, st.selector, true));

  const onEngineCreated = (engine: Obj) => {
    const ns = engine.metadata.namespace;
    const name = engine.metadata.name;
    const experiment = engine.spec?.experiments?.[0]?.name ?? 'pod-delete';
    const selector = engine.spec?.appinfo?.applabel ?? '';
    const st: EngineState = { done: false, resultName: null, pending: [], selector, ns, experiment };
    engines.set(`${ns}/${name}`, st);
    engine.status = { engineStatus: 'initialized', experiments: [{ name: experiment, status: 'Waiting for Job Creation', verdict: 'Awaited', lastUpdateTime: nowSec() }] };
    emitEventOn('ChaosEngine', ns, name, 'ChaosEngineInitialized', `${name}-runner created successfully`, 'Normal', 'chaos-operator');
    const probes = (engine.spec?.experiments?.[0]?.spec?.probe ?? []) as Obj[];
    const jobPod = `${experiment}-${randomUUID().slice(0, 6)}`;
    st.pending.push(
      later(chaos.resultDelayMs, () => {
        if (st.done) return;
        st.resultName = `${name}-${experiment}`;
        store('chaosresults', {
          apiVersion: 'litmuschaos.io/v1alpha1',
          kind: 'ChaosResult',
          metadata: {
            name: st.resultName,
            namespace: ns,
            uid: randomUUID(),
            creationTimestamp: nowSec(),
            labels: { 'app.kubernetes.io/component': 'experiment-job', 'app.kubernetes.io/part-of': 'litmus', name: st.resultName },
          },
          spec: { engine: name, experiment },
          status: {
            experimentStatus: { phase: 'Running', verdict: 'Awaited', probeSuccessPercentage: 'Awaited' },
            probeStatuses: probes.map((p) => ({ name: p.name, type: 'HTTPProbe', mode: p.mode ?? 'Continuous', status: { verdict: 'Awaited', description: '' } })),
            history: { passedRuns: 0, failedRuns: 0, stoppedRuns: 0, targets: [{ name: selector.replace(/^app=/, ''), kind: 'deployment', chaosStatus: 'targeted' }] },
          },
        });
        update('chaosengines', ns, name, (e) => {
          e.status.experiments[0] = { ...e.status.experiments[0], status: 'Running', lastUpdateTime: nowSec(), runner: `${name}-runner` };
        });
        emitEventOn('ChaosEngine', ns, name, 'PreChaosCheck', 'AUT: Running', 'Normal', jobPod);
        emitEventOn('ChaosEngine', ns, name, 'ChaosInject', `Injecting ${experiment} chaos on application pod`, 'Normal', jobPod);
        setTargetsReady(ns, selector, false);
        if (chaos.verdict === 'Awaited') return;
        st.pending.push(
          later(chaos.chaosMs, () => {
            if (st.done) return;
            // The end of chaos: the post-chaos checks start; the verdict follows once they (and the probes) are done.
            emitEventOn('ChaosEngine', ns, name, 'PostChaosCheck', 'AUT: Running', 'Normal', jobPod);
            recoverLater(st);
            st.pending.push(
              later(chaos.verdictDelayMs, () => {
                if (st.done) return;
                st.done = true;
                const pass = chaos.verdict === 'Pass';
                update('chaosresults', ns, st.resultName!, (r) => {
                  r.status.experimentStatus = pass
                    ? { phase: 'Completed', verdict: 'Pass', probeSuccessPercentage: '100', failStep: 'N/A' }
                    : {
                        phase: 'Completed_With_Probe_Failure',
                        verdict: 'Fail',
                        probeSuccessPercentage: '0',
                        errorOutput: { errorCode: 'PROBE_ERROR', reason: `probe "${probes[0]?.name ?? 'steady-state'}" failed: status code 503` },
                      };
                  r.status.probeStatuses = (r.status.probeStatuses as Obj[]).map((p) => ({
                    ...p,
                    status: pass ? { verdict: 'Passed', description: 'Probe passed' } : { verdict: 'Failed', description: 'Expected response code 200, got 503' },
                  }));
                  r.status.history[pass ? 'passedRuns' : 'failedRuns'] += 1;
                });
                emitEventOn('ChaosEngine', ns, name, 'Summary', `${experiment} experiment has been ${pass ? 'Passed' : 'Failed'}`, pass ? 'Normal' : 'Warning', jobPod);
                // The operator sets engineState stop itself after a normal finish (litmus#1282).
                update('chaosengines', ns, name, (e) => {
                  e.spec.engineState = 'stop';
                  e.status.engineStatus = 'completed';
                  e.status.experiments[0] = { ...e.status.experiments[0], status: 'Completed', verdict: pass ? 'Pass' : 'Fail', lastUpdateTime: nowSec() };
                });
                emitEventOn('ChaosEngine', ns, name, 'ChaosEngineCompleted', 'Chaos Engine completed, will delete or retain the resources according to jobCleanUpPolicy', 'Normal', 'chaos-operator');
              }),
            );
          }),
        );
      }),
    );
  };

  const onEngineStopped = (engine: Obj) => {
    const ns = engine.metadata.namespace;
    const name = engine.metadata.name;
    const st = engines.get(`${ns}/${name}`);
    if (!st || st.done) return;
    st.done = true;
    for (const t of st.pending) clearTimeout(t);
    if (!Number.isFinite(chaos.stopDelayMs)) return;
    later(chaos.stopDelayMs, () => {
      if (st.resultName) {
        // An aborted run: verdict Stopped, phase Completed (litmus-go PR #178).
        update('chaosresults', ns, st.resultName, (r) => {
          r.status.experimentStatus = { phase: 'Completed', verdict: 'Stopped', probeSuccessPercentage: '0', failStep: 'Chaos injection stopped!' };
          r.status.history.stoppedRuns += 1;
        });
      }
      update('chaosengines', ns, name, (e) => {
        e.status.engineStatus = 'stopped';
        e.status.experiments[0] = { ...e.status.experiments[0], status: 'Forcefully Aborted', verdict: 'Stopped', lastUpdateTime: nowSec() };
      });
      emitEventOn('ChaosEngine', ns, name, 'ChaosEngineStopped', 'Chaos Engine is stopped, chaos resources cleaned up', 'Normal', 'chaos-operator');
      recoverLater(st);
    });
  };

  // --- Flagger controller ------------------------------------------------------------------------
  const canaryStarts = new Map<string, () => void>();
  const canarySteppers = new Map<string, () => void>();
  const emitEvent = (ns: string, canary: string, message: string, type: 'Normal' | 'Warning' = 'Normal', at?: string) =>
    emitEventOn('Canary', ns, canary, 'Synced', message, type, 'flagger', at);
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (status: string, reason: string, message: string) => [
    { type: 'Promoted', status, reason, message, lastUpdateTime: now(), lastTransitionTime: now() },
  ];
  for (const c of options.canaries ?? []) {
    const image = (v: string) => `ghcr.io/shopfds/${c.name}:${v}`;
    const threshold = c.threshold ?? 3;
    const previous = c.previous ?? 'succeeded';
    const id = `${c.name}.${c.namespace}`;
    // The user's `kubectl set image` just now: the API server records it in managedFields.
    const target = deploymentObject(c.name, c.namespace, image(c.newVersion));
    const appliedAt = c.outcome === 'failed' ? ago(240_000) : nowSec();
    target.metadata.managedFields = [
      { manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: appliedAt, fieldsType: 'FieldsV1', fieldsV1: {} },
      ...(c.outcome === 'failed' ? [{ manager: 'flagger', operation: 'Update', apiVersion: 'apps/v1', time: ago(110_000), fieldsType: 'FieldsV1', fieldsV1: {} }] : []),
    ];
    store('deployments', target);
    // Flagger creates `<target>-primary` only when it initializes the canary.
    const createPrimary = (version: string) => store('deployments', deploymentObject(`${c.name}-primary`, c.namespace, image(version)));
    if (previous !== 'none') createPrimary(c.oldVersion);
    const initialStatus: Obj =
      previous === 'none'
        ? { phase: 'Initializing', canaryWeight: 0, failedChecks: 0, iterations: 0, lastTransitionTime: now(), conditions: condition('Unknown', 'Initializing', 'New Deployment detected, starting initialization.') }
        : previous === 'failed'
          ? {
              // Left from the previous revision (rolled back a while ago); failedChecks as Flagger left it.
              phase: 'Failed',
              canaryWeight: 0,
              failedChecks: 0,
              iterations: 0,
              lastAppliedSpec: '6f7e8d9c1',
              lastPromotedSpec: '7c6b5a4f3',
              lastTransitionTime: now(),
              trackedConfigs: {},
              conditions: condition('False', 'Failed', 'Canary analysis failed, Deployment scaled to zero.'),
            }
          : {
              // A new revision was detected: the previous rollout had succeeded.
              phase: 'Progressing',
              canaryWeight: 0,
              failedChecks: 0,
              iterations: 0,
              lastAppliedSpec: '5d8f9c7b6',
              lastPromotedSpec: '7c6b5a4f3',
              lastTransitionTime: now(),
              trackedConfigs: {},
              conditions: condition('Unknown', 'Progressing', 'New revision detected, progressing canary analysis.'),
            };
    if (c.outcome === 'failed') {
      // The previous revision was promoted ten minutes ago; this one failed its analysis before the test.
      emitEvent(c.namespace, c.name, `New revision detected! Scaling up ${id}`, 'Normal', ago(600_000));
      emitEvent(c.namespace, c.name, `Halt ${id} advancement success rate 97.00% < 99%`, 'Warning', ago(590_000));
      emitEvent(c.namespace, c.name, `Promotion completed! Scaling down ${id}`, 'Normal', ago(500_000));
      emitEvent(c.namespace, c.name, `New revision detected! Scaling up ${id}`, 'Normal', ago(230_000));
      emitEvent(c.namespace, c.name, `Halt ${id} advancement success rate 61.50% < 99%`, 'Warning', ago(200_000));
      emitEvent(c.namespace, c.name, `Halt ${id} advancement request duration 1.2s > 500ms`, 'Warning', ago(185_000));
      emitEvent(c.namespace, c.name, `Halt ${id} advancement success rate 58.25% < 99%`, 'Warning', ago(170_000));
      emitEvent(c.namespace, c.name, `Rolling back ${id} failed checks threshold reached ${threshold}`, 'Warning', ago(110_000));
      emitEvent(c.namespace, c.name, `Canary failed! Scaling down ${id}`, 'Warning', ago(110_000));
    } else if (previous === 'failed') {
      // The previous revision's analysis, two minutes ago.
      emitEvent(c.namespace, c.name, `New revision detected! Scaling up ${id}`, 'Normal', ago(180_000));
      emitEvent(c.namespace, c.name, `Halt ${id} advancement success rate 12.00% < 99%`, 'Warning', ago(170_000));
      emitEvent(c.namespace, c.name, `Rolling back ${id} failed checks threshold reached ${threshold}`, 'Warning', ago(120_000));
      emitEvent(c.namespace, c.name, `Canary failed! Scaling down ${id}`, 'Warning', ago(120_000));
    }
    store('canaries', {
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: c.name, namespace: c.namespace, uid: randomUUID(), generation: 1, creationTimestamp: now() },
      spec: {
        provider: 'istio',
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: c.name },
        service: { port: 80, targetPort: 8080 },
        analysis: {
          interval: '15s',
          threshold,
          maxWeight: 50,
          stepWeight: 10,
          metrics: [
            { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
            { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
          ],
        },
      },
      status:
        c.outcome === 'failed'
          ? {
              phase: 'Failed',
              canaryWeight: 0,
              failedChecks: threshold,
              iterations: 0,
              lastAppliedSpec: '6f7e8d9c1',
              lastPromotedSpec: '7c6b5a4f3',
              lastTransitionTime: ago(110_000),
              trackedConfigs: {},
              conditions: condition('False', 'Failed', 'Canary analysis failed, Deployment scaled to zero.'),
            }
          : initialStatus,
    });
    const steps: Array<(s: Obj) => void> = [];
    if (previous === 'none')
      steps.push((s) => {
        createPrimary(c.newVersion);
        emitEvent(c.namespace, c.name, `Initialization done! ${id}`);
        Object.assign(s, { phase: 'Initialized', conditions: condition('True', 'Initialized', 'Deployment initialization completed.') });
      });
    else if (previous === 'failed')
      steps.push((s) => {
        emitEvent(c.namespace, c.name, `New revision detected! Scaling up ${id}`);
        Object.assign(s, { phase: 'Progressing', canaryWeight: 0, failedChecks: 0, lastAppliedSpec: '8a9b0c1d2', conditions: condition('Unknown', 'Progressing', 'New revision detected, progressing canary analysis.') });
      });
    if (previous === 'none' || c.outcome === 'failed') {
      // A first deploy has nothing to analyse; a failed revision waits for the next one.
    } else if (c.outcome === 'promote') {
      for (const w of [10, 20, 30, 40, 50])
        steps.push((s) => {
          emitEvent(c.namespace, c.name, `Advance ${id} canary weight ${w}`);
          Object.assign(s, { phase: 'Progressing', canaryWeight: w });
        });
      steps.push((s) => Object.assign(s, { phase: 'Promoting', conditions: condition('Unknown', 'Promoting', 'Canary analysis completed, starting primary rolling update.') }));
      steps.push((s) => {
        // "Copying podinfo.test template spec to podinfo-primary.test"
        update('deployments', c.namespace, `${c.name}-primary`, (d) => {
          d.spec.template.spec.containers[0].image = image(c.newVersion);
        });
        Object.assign(s, { phase: 'Finalising', canaryWeight: 0, conditions: condition('Unknown', 'Finalising', 'Canary analysis completed, routing all traffic to primary.') });
      });
      steps.push((s) =>
        Object.assign(s, {
          phase: 'Succeeded',
          canaryWeight: 0,
          lastPromotedSpec: s.lastAppliedSpec,
          conditions: condition('True', 'Succeeded', 'Canary analysis completed successfully, promotion finished.'),
        }),
      );
    } else if (c.outcome === 'rollback') {
      steps.push((s) => Object.assign(s, { phase: 'Progressing', canaryWeight: 10 }));
      steps.push((s) => Object.assign(s, { phase: 'Progressing', canaryWeight: 20 }));
      for (let i = 1; i <= threshold; i++)
        steps.push((s) => {
          // Flagger's own wording (docs/gitbook/usage/monitoring.md).
          emitEvent(c.namespace, c.name, i === 2 ? `Halt ${id} advancement request duration 1.515s > 500ms` : `Halt ${id} advancement success rate ${(70 - i * 8.5).toFixed(2)}% < 99%`);
          Object.assign(s, { phase: 'Progressing', canaryWeight: 20, failedChecks: i });
        });
      steps.push((s) => {
        emitEvent(c.namespace, c.name, `Rolling back ${id} failed checks threshold reached ${threshold}`, 'Warning');
        emitEvent(c.namespace, c.name, `Canary failed! Scaling down ${id}`, 'Warning');
        Object.assign(s, { phase: 'Failed', canaryWeight: 0, conditions: condition('False', 'Failed', 'Canary analysis failed, Deployment scaled to zero.') });
      });
    } else {
      steps.push((s) => Object.assign(s, { phase: 'Progressing', canaryWeight: 10 }));
    }
    let i = 0;
    const tick = () => {
      const step = steps[i++];
      if (!step) return;
      update('canaries', c.namespace, c.name, (o) => {
        step(o.status);
        o.status.lastTransitionTime = now();
      });
      later(c.stepMs, tick);
    };
    // The controller starts analysing when the canary is first read, so a watcher sees every step.
    if (c.stepMs > 0) canaryStarts.set(`${c.namespace}/${c.name}`, () => later(c.stepMs, tick));
    else
      canarySteppers.set(`${c.namespace}/${c.name}`, () => {
        const step = steps[i++];
        if (step)
          update('canaries', c.namespace, c.name, (o) => {
            step(o.status);
            o.status.lastTransitionTime = now();
          });
      });
  }

  // --- HTTP ----------------------------------------------------------------------------------------
  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const status = (res: ServerResponse, code: number, reason: string, message: string, details: Obj = {}) =>
    send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code });

  const discovery = (path: string): unknown | undefined => {
    if (path === '/version')
      return { major: '1', minor: '32', gitVersion: 'v1.32.4', gitCommit: 'test', gitTreeState: 'clean', buildDate: '2025-04-22T00:00:00Z', goVersion: 'go1.23.8', compiler: 'gc', platform: 'linux/amd64' };
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] };
    if (path === '/apis') {
      const groups = [...new Set(RESOURCES.filter((r) => r.group).map((r) => `${r.group}/${r.version}`))].map((gv) => {
        const [name, version] = gv.split('/') as [string, string];
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
      return { kind: 'APIGroupList', apiVersion: 'v1', groups };
    }
    const gv = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
    if (gv) {
      const list = RESOURCES.filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv);
      if (!list.length) return undefined;
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: gv,
        resources: list.map((r) => ({
          name: r.plural,
          singularName: r.singular,
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        })),
      };
    }
    return undefined;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams.entries());
    const contentType = req.headers['content-type']?.split(';')[0]?.trim() ?? null;
    let body: unknown = raw;
    if (raw) {
      try {
        body = contentType === 'application/apply-patch+yaml' ? parseYaml(raw) : JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    // A copy: the stored object is changed later by the simulated controllers.
    const logged: LoggedRequest = { method: req.method ?? 'GET', path: url.pathname, query, contentType, body: raw ? structuredClone(body) : null, at: Date.now() };
    requests.push(logged);

    const fault = faults.find(
      (f) =>
        (!f.method || f.method === logged.method) &&
        (typeof f.path === 'string' ? logged.path.includes(f.path) : f.path.test(logged.path)) &&
        (f.times === undefined || f.times > 0) &&
        (!f.when || f.when()),
    );
    if (fault) {
      if (fault.skip && fault.skip > 0) fault.skip--;
      else {
        if (fault.times !== undefined) fault.times--;
        faulted.push(logged);
        if (fault.action === 'hang') return; // never answered; kubectl gives up after --request-timeout
        const a = fault.action;
        return status(res, a.status, a.reason ?? (a.status >= 500 ? 'InternalError' : 'BadRequest'), a.message ?? `Internal error occurred: injected fault on ${logged.path}`);
      }
    }

    const method = req.method ?? 'GET';
    if (options.hang?.(method, url.pathname)) return;
    if (method === 'GET') {
      const d = discovery(url.pathname);
      if (d !== undefined) return send(res, 200, d);
      if (url.pathname.startsWith('/openapi')) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const m = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(url.pathname);
    if (!m) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const [, group = '', version = 'v1', ns = '', plural = '', name] = m;
    const type = RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
    if (!type) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const qualified = type.group ? `${type.plural}.${type.group}` : type.plural;
    const notFound = (n: string) => status(res, 404, 'NotFound', `${qualified} "${n}" not found`, { name: n, group: type.group, kind: type.plural });
    const apiVersion = type.group ? `${type.group}/${type.version}` : type.version;

    if (method === 'GET' && !name) {
      const items = [...objects.values()].filter(
        (o) => o.kind === type.kind && (!ns || o.metadata.namespace === ns) && matchesSelector(o.metadata.labels, query.labelSelector),
      );
      const fieldSelector = query.fieldSelector;
      const filtered = fieldSelector
        ? items.filter((o) =>
            fieldSelector.split(',').every((t) => {
              const [k, v] = t.split('=');
              return k === 'metadata.name' ? o.metadata.name === v : k?.startsWith('involvedObject.') ? o.involvedObject?.[k.slice(15)] === v : true;
            }),
          )
        : items;
      return send(res, 200, { kind: `${type.kind}List`, apiVersion, metadata: { resourceVersion: String(resourceVersion) }, items: filtered });
    }
    if (method === 'GET') {
      const o = lookup(plural, ns, name!);
      if (o && type.kind === 'Canary') {
        canaryStarts.get(`${ns}/${name}`)?.();
        canaryStarts.delete(`${ns}/${name}`);
        const answer = structuredClone(o);
        canarySteppers.get(`${ns}/${name}`)?.();
        return send(res, 200, answer);
      }
      return o ? send(res, 200, o) : notFound(name!);
    }
    if (method === 'POST') {
      const obj = body as Obj;
      if (!obj || typeof obj !== 'object' || !obj.metadata?.name) return status(res, 400, 'BadRequest', 'the object has no metadata.name');
      if (lookup(plural, ns, obj.metadata.name)) return status(res, 409, 'AlreadyExists', `${qualified} "${obj.metadata.name}" already exists`);
      obj.metadata = { ...obj.metadata, namespace: ns || obj.metadata.namespace, uid: randomUUID(), creationTimestamp: now(), generation: 1 };
      store(plural, obj);
      if (type.kind === 'ChaosEngine' && obj.spec?.engineState !== 'stop') onEngineCreated(obj);
      return send(res, 201, obj);
    }
    if (method === 'PATCH' || method === 'PUT') {
      const existing = lookup(plural, ns, name!);
      if (method === 'PUT') {
        if (!existing) return notFound(name!);
        const obj = body as Obj;
        obj.metadata = { ...existing.metadata, ...obj.metadata };
        store(plural, obj);
        return send(res, 200, obj);
      }
      if (contentType === 'application/json-patch+json') return status(res, 415, 'UnsupportedMediaType', 'json-patch is not supported by this test server');
      if (!existing) {
        if (contentType !== 'application/apply-patch+yaml') return notFound(name!);
        const obj = body as Obj;
        obj.metadata = { ...obj.metadata, name, namespace: ns, uid: randomUUID(), creationTimestamp: now(), generation: 1 };
        store(plural, obj);
        if (type.kind === 'ChaosEngine') onEngineCreated(obj);
        return send(res, 201, obj);
      }
      const wasActive = existing.spec?.engineState !== 'stop';
      // Strategic merge patches of the objects used here behave as JSON merge patches.
      const merged = mergePatch(existing, body) as Obj;
      merged.metadata.generation = (existing.metadata.generation ?? 1) + 1;
      store(plural, merged);
      if (type.kind === 'ChaosEngine' && wasActive && merged.spec?.engineState === 'stop') onEngineStopped(merged);
      return send(res, 200, merged);
    }
    if (method === 'DELETE') {
      const existing = lookup(plural, ns, name!);
      if (!existing) return notFound(name!);
      objects.delete(key(plural, ns, name!));
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: type.plural } });
    }
    return status(res, 405, 'MethodNotAllowed', `${method} is not supported`);
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      try {
        handle(req, res, raw);
      } catch (error) {
        status(res, 500, 'InternalError', (error as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    mutations: () => requests.filter((r) => r.method !== 'GET'),
    get: (plural, namespace, name) => lookup(plural, namespace, name),
    addFault: (rule) => void faults.push({ ...rule }),
    faulted,
    writeKubeconfig(dir, opts = {}) {
      const context = opts.context ?? 'test';
      const file = join(dir, 'kubeconfig.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: test',
          `  cluster: {server: "${url}"}`,
          'contexts:',
          `- name: ${context}`,
          `  context: {cluster: test, user: test${opts.namespace ? `, namespace: ${opts.namespace}` : ''}}`,
          `current-context: ${context}`,
          'users:',
          '- name: test',
          '  user: {token: test-token}',
          '',
        ].join('\n'),
      );
      return file;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

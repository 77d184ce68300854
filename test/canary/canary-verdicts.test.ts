import { afterEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type CanaryScenario, type FaultRule } from '../kube-api-server/server.js';
import { kubeWorkspace, parseRun, runCli } from '../chaos/harness.js';

/*
 * Canary verdicts a release engineer can trust: `canary status|watch` through the built bin and the
 * real kubectl, against the stand-in Kubernetes API server (Flagger simulation with faults).
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(outcome: CanaryScenario['outcome'], extra: Partial<CanaryScenario> = {}, faults: FaultRule[] = []) {
  const server = await startKubeApiServer({
    canaries: [{ name: 'fds', namespace: 'shop', outcome, oldVersion: 'v1.0.0', newVersion: 'v1.1.0', stepMs: 0, threshold: 3, ...extra }],
    faults,
  });
  const ws = kubeWorkspace(server, 'shopfds-canary-');
  cleanups.push(() => server.close(), ws.cleanup);
  return { server, ws, args: (cmd: 'watch' | 'status', ...more: string[]) => ['--db', ws.db, '--json', 'canary', cmd, 'fds', '-n', 'shop', ...ws.args, ...more] };
}

const CANARY = '/apis/flagger.app/v1beta1/namespaces/shop/canaries/fds';

describe('canary verdicts (real kubectl, stand-in Flagger API server with faults)', () => {
  it('6. a single 500 on one poll is retried and the watch goes on to the promotion', async () => {
    const { server, ws, args } = await setup('promote', {}, [{ method: 'GET', path: CANARY, action: { status: 500 }, skip: 3, times: 1 }]);
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(server.faulted).toHaveLength(1);
    expect(res.exitCode).toBe(0);
    const run = parseRun(res.stdout);
    expect(run.canary.deployment.status).toBe('succeeded');
    expect(run.metadata.api_errors).toBe('1');
    expect(run.metadata.last_api_error).toContain('cluster API error');
  }, 180_000);

  it('6. an API server that keeps failing ends the watch with exit 3, and the snapshots taken are stored', async () => {
    const { server, ws, args } = await setup('stuck', {}, [{ method: 'GET', path: CANARY, action: { status: 500 }, skip: 3 }]);
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(server.faulted.length).toBeGreaterThanOrEqual(5);
    expect(res.exitCode).toBe(3);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('error');
    expect(run.errorMessage).toContain('cluster API error');
    expect(run.canary.deployment.metrics.length).toBeGreaterThanOrEqual(3);
    const shown = await runCli(['--db', ws.db, '--json', 'runs', 'show', run.id], { cwd: ws.dir, timeoutMs: 170_000 });
    expect(JSON.parse(shown.stdout).canary.deployment.metrics).toHaveLength(run.canary.deployment.metrics.length);
  }, 180_000);

  it('8. canary status of a canary that failed before the command started reads the analysis events of the current revision', async () => {
    const { ws, args } = await setup('failed');
    const res = await runCli(args('status'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(res.exitCode).toBe(1);
    const d = parseRun(res.stdout).canary.deployment;
    expect(d.status).toBe('rollback');
    // The current revision's last checks (not the promoted revision's 97.00% from ten minutes ago).
    expect(d).toMatchObject({ request_success_rate: 58.25, error_rate: 41.75, response_time_p95: 1200 });
    expect(d.metrics[0].failed_checks).toBe(3);
    expect(d.rollback_reason).toContain('last check: Halt fds.shop advancement success rate 58.25% < 99%');
  }, 180_000);

  it('8. a Failed phase left from the previous revision does not end a new watch', async () => {
    const { ws, args } = await setup('promote', { previous: 'failed' });
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(res.exitCode).toBe(0);
    const run = parseRun(res.stdout);
    const d = run.canary.deployment;
    expect(d.metrics[0].phase).toBe('Failed');
    expect(d.status).toBe('succeeded');
    expect(d.rollback_reason).toBeNull();
    // The old revision's failed checks are not this rollout's readings.
    expect(d.request_success_rate).toBeNull();
  }, 180_000);

  it('8. watch started right after a first deploy waits for Flagger to initialize the canary', async () => {
    const { server, ws, args } = await setup('promote', { previous: 'none' });
    expect(server.get('deployments', 'shop', 'fds-primary')).toBeUndefined();
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(res.exitCode).toBe(0);
    const run = parseRun(res.stdout);
    const d = run.canary.deployment;
    expect(d.metrics[0].phase).toBe('Initializing');
    expect(d.metrics.at(-1).phase).toBe('Initialized');
    expect(d).toMatchObject({ status: 'succeeded', new_version: 'v1.1.0', old_version: '0.0.0' });
    expect(run.metadata.first_deployment).toBe('true');
    expect(server.mutations()).toEqual([]);
  }, 180_000);
});

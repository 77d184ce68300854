import { afterEach, describe, expect, it } from 'vitest';
import { startKubeApiServer, type CanaryScenario } from '../kube-api-server/server.js';
import { kubeWorkspace, parseRun, runCli, startCli, waitFor } from '../chaos/harness.js';

/*
 * `shopfds-test canary status|watch` driven through the built bin and the real kubectl, against a
 * stand-in Kubernetes API server that simulates the Flagger controller (there is no cluster here).
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(outcome: CanaryScenario['outcome'], extra: Partial<CanaryScenario> = {}) {
  const server = await startKubeApiServer({
    canaries: [{ name: 'fds', namespace: 'shop', outcome, oldVersion: 'v1.0.0', newVersion: 'v1.1.0', stepMs: 0, threshold: 3, ...extra }],
  });
  const ws = kubeWorkspace(server, 'shopfds-canary-');
  cleanups.push(() => server.close(), ws.cleanup);
  return { server, ws, args: (cmd: 'watch' | 'status', ...more: string[]) => ['--db', ws.db, '--json', 'canary', cmd, 'fds', '-n', 'shop', ...ws.args, ...more] };
}

describe('canary watch (real kubectl, stand-in Flagger API server)', () => {
  it('exits 0 when Flagger promotes the canary and the primary runs the new version', async () => {
    const { server, ws, args } = await setup('promote');
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(res.exitCode).toBe(0);
    const run = parseRun(res.stdout);
    expect(run.kind).toBe('canary');
    expect(run.status).toBe('passed');
    const d = run.canary.deployment;
    expect(d).toMatchObject({
      service_name: 'fds',
      old_version: 'v1.0.0',
      new_version: 'v1.1.0',
      status: 'succeeded',
      rollback_reason: null,
      flagger_canary_name: 'fds',
      kubernetes_namespace: 'shop',
      analysis_interval_sec: 15,
      threshold_max_error_rate: 1,
      threshold_max_response_time: 500,
    });
    expect(d.completed_at).not.toBeNull();
    expect(d.metrics.length).toBeGreaterThan(2);
    expect(d.metrics.at(-1)).toMatchObject({ phase: 'Succeeded', traffic_weight: 0 });
    expect(d.metrics.some((m: any) => m.phase === 'Progressing' && m.traffic_weight > 0)).toBe(true);
    expect(run.cases.map((c: any) => `${c.name}:${c.status}`)).toEqual(['analysis:passed', 'primary runs v1.1.0:passed']);
    // Read-only: the watcher never writes to the cluster, and it read the primary through kubectl.
    expect(server.mutations()).toEqual([]);
    expect(server.requests.some((r) => r.path === '/apis/apps/v1/namespaces/shop/deployments/fds-primary')).toBe(true);
    expect(server.get('deployments', 'shop', 'fds-primary')!.spec.template.spec.containers[0].image).toBe('ghcr.io/shopfds/fds:v1.1.0');

    const shown = await runCli(['--db', ws.db, '--json', 'runs', 'show', run.id], { cwd: ws.dir });
    expect(JSON.parse(shown.stdout).canary.deployment.metrics.length).toBe(d.metrics.length);
  }, 180_000);

  it('exits 1 when Flagger rolls the canary back, with the rollback reason from its conditions', async () => {
    const { ws, args } = await setup('rollback');
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(res.exitCode).toBe(1);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('failed');
    const d = run.canary.deployment;
    expect(d.status).toBe('rollback');
    expect(d.rollback_reason).toBe('Canary analysis failed, Deployment scaled to zero. (failed checks 3/3); last check: Halt fds.shop advancement success rate 44.50% < 99%');
    // Metric values come from Flagger's failed-check Events: success rate 44.50% < 99% and request duration 1.515s.
    expect(d).toMatchObject({ request_success_rate: 44.5, error_rate: 55.5, response_time_p95: 1515 });
    expect(d.metrics.some((m: any) => m.request_success_rate !== null)).toBe(true);
    expect(d.completed_at).not.toBeNull();
    expect(d.metrics.some((m: any) => (m.failed_checks ?? 0) > 0)).toBe(true);
    expect(run.cases[0]).toMatchObject({ name: 'analysis', status: 'failed' });
  }, 180_000);

  it('times out with a clear error (exit 1): stored as timed out with the last phase and weight, not as a rollback', async () => {
    const { ws, args } = await setup('stuck', { stepMs: 300 });
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '2s'), { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    const run = parseRun(res.stdout);
    const d = run.canary.deployment;
    expect(d.status).toBe('progressing');
    expect(d.rollback_reason).toBeNull();
    expect(run.errorMessage).toMatch(/^timed out after 2s waiting for canary fds \(phase Progressing, weight \d+%\)$/);
    expect(run.metadata.timed_out).toBe('true');
    expect(run.cases[0]).toMatchObject({ name: 'analysis', status: 'timed_out' });
    expect(res.stderr).not.toContain('rollback');
  });

  it('on SIGINT saves the watch as interrupted and exits 130', async () => {
    const { server, ws, args } = await setup('stuck');
    const cli = startCli(args('watch', '--interval', '200ms', '--timeout', '150s'), { cwd: ws.dir, timeoutMs: 170_000 });
    await waitFor(() => server.requests.filter((r) => r.path === '/apis/flagger.app/v1beta1/namespaces/shop/canaries/fds').length >= 2);
    cli.child.kill('SIGINT');
    const res = await cli.done;
    expect(res.exitCode).toBe(130);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('interrupted');
    expect(run.canary.deployment.status).toBe('progressing');
    expect(run.cases[0]).toMatchObject({ name: 'analysis', status: 'interrupted' });
  });

  it('prints the table summary without --json', async () => {
    const { ws, args } = await setup('rollback');
    const res = await runCli(args('watch', '--interval', '200ms', '--timeout', '150s').filter((a) => a !== '--json'), { cwd: ws.dir, timeoutMs: 170_000 });
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toContain('fds');
    expect(res.stdout).toContain('v1.1.0');
    expect(res.stdout).toContain('Canary analysis failed');
  }, 180_000);
});

describe('canary status', () => {
  it('reads the canary once and records one snapshot', async () => {
    const { server, ws, args } = await setup('stuck');
    const res = await runCli(args('status'), { cwd: ws.dir });
    expect(res.exitCode).toBe(0);
    const d = parseRun(res.stdout).canary.deployment;
    expect(d).toMatchObject({ status: 'progressing', old_version: 'v1.0.0', new_version: 'v1.1.0', completed_at: null });
    expect(d.metrics).toHaveLength(1);
    expect(server.mutations()).toEqual([]);
  });

  it('exits 2 for a canary that does not exist', async () => {
    const { ws } = await setup('stuck');
    const res = await runCli(['--db', ws.db, 'canary', 'status', 'nope', '-n', 'shop', ...ws.args], { cwd: ws.dir });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('canary "nope" not found in namespace shop');
  });

  it('exits 2 when the image tag is not a semantic version', async () => {
    const { ws, args } = await setup('stuck', { newVersion: 'latest' });
    const res = await runCli(args('status'), { cwd: ws.dir });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('is not a semantic version');
  });

  it('exits 3 when the API server is unreachable', async () => {
    const { server, ws, args } = await setup('stuck');
    await server.close();
    const res = await runCli(args('status'), { cwd: ws.dir });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toContain('unreachable');
  });
});

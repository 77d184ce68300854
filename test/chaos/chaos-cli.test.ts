import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiServer, type KubeApiServerOptions } from '../kube-api-server/server.js';
import { cliEnv } from '../helpers/cli.js';
import { CHAOS_EXPERIMENTS as EXPERIMENTS, CHAOS_POLL as POLL, engineCreates, kubeWorkspace, parseRun, pods, REPO_ROOT, runCli, setupChaosRun, startCli, startHttpServer, stopPatches, waitFor } from './harness.js';

/*
 * `shopfds-test chaos` driven through the built bin and the real kubectl (/usr/bin/kubectl), against
 * a stand-in Kubernetes API server that simulates the Litmus operator (there is no cluster here).
 */

let health: Awaited<ReturnType<typeof startHttpServer>>;
let healthUrl = '';
beforeAll(async () => {
  health = await startHttpServer((req, res) => {
    res.writeHead(req.url === '/down' ? 503 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  healthUrl = health.url;
});
afterAll(() => health.close());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const setup = (options: KubeApiServerOptions = {}) => setupChaosRun(cleanups, options);

describe('chaos run (real kubectl, stand-in Litmus API server)', () => {
  it('passes: steady state holds, the ChaosEngine is applied, the verdict is Pass and pods recover in time', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 600, recoveryMs: 300 } });
    const junit = join(ws.dir, 'chaos.xml');
    const res = await runCli([...base, 'fds-pod-delete-probe', ...tail, '--probe-url', `${healthUrl}/health`, '--junit', junit], { cwd: ws.dir });
    expect(res.stderr).toContain('verdict Pass');
    expect(res.exitCode).toBe(0);

    const creates = engineCreates(server);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.path).toBe('/apis/litmuschaos.io/v1alpha1/namespaces/shop/chaosengines');
    const engine = creates[0]!.body as any;
    expect(engine.kind).toBe('ChaosEngine');
    expect(engine.spec.engineState).toBe('active');
    expect(engine.spec.appinfo).toEqual({ appns: 'shop', applabel: 'app=fds', appkind: 'deployment' });
    expect(engine.spec.experiments[0].name).toBe('pod-delete');
    expect(engine.spec.experiments[0].spec.components.env).toContainEqual({ name: 'TOTAL_CHAOS_DURATION', value: '10' });
    // The httpProbe runs inside the cluster: it keeps the file's URL; --probe-url is for the checks from here.
    expect(engine.spec.experiments[0].spec.probe[0]['httpProbe/inputs'].url).toBe('http://fds.shop.svc.cluster.local/health');
    // A normal finish is not an abort: no stop patch from us.
    expect(stopPatches(server)).toHaveLength(0);

    const run = parseRun(res.stdout);
    expect(run.kind).toBe('chaos');
    expect(run.status).toBe('passed');
    const e = run.chaos.experiment;
    expect(e).toMatchObject({ status: 'completed', result: 'passed', chaos_engine_name: engine.metadata.name, kubernetes_namespace: 'shop', approval_required: false, recovery_target_sec: 30 });
    expect(e.recovery_time_sec).toBeLessThanOrEqual(30);
    expect(e.audit.map((a: any) => a.action)).toEqual(['created', 'started', 'completed']);
    const types = new Set(e.observations.map((o: any) => o.observation_type));
    for (const t of ['steady_state_before', 'during', 'verdict', 'probe', 'steady_state_after', 'recovery']) expect(types).toContain(t);
    expect(run.cases.map((c: any) => `${c.suitePath[1]}/${c.name}:${c.status}`)).toEqual([
      'steady state before/ready pods:passed',
      'steady state before/http probe:passed',
      'chaos/verdict:passed',
      'probes/fds-steady-state:passed',
      'steady state after/ready pods:passed',
      'steady state after/http probe:passed',
      'recovery/recovered within 30s:passed',
    ]);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('name="chaos › verdict"');
    expect(xml).toContain('name="steady state before › ready pods"');

    // Stored like any other kind.
    const shown = await runCli(['--db', ws.db, '--json', 'runs', 'show', run.id], { cwd: ws.dir });
    expect(shown.exitCode).toBe(0);
    expect(JSON.parse(shown.stdout).chaos.experiment.audit).toHaveLength(3);
  });

  it('fails on verdict Fail and records the fail step and the failed probe', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Fail', chaosMs: 400 } });
    const res = await runCli([...base, 'fds-pod-delete-probe', ...tail, '--probe-url', `${healthUrl}/health`], { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    expect(engineCreates(server)).toHaveLength(1);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('failed');
    const e = run.chaos.experiment;
    expect(e).toMatchObject({ status: 'completed', result: 'failed' });
    const verdict = run.cases.find((c: any) => c.name === 'verdict');
    expect(verdict.status).toBe('failed');
    expect(verdict.errorMessage).toContain('verdict Fail');
    expect(verdict.errorMessage).toContain('PROBE_ERROR');
    expect(run.cases.find((c: any) => c.suitePath[1] === 'probes').status).toBe('failed');
    expect(e.observations.find((o: any) => o.observation_type === 'fail_step').metric_value).toContain('failed');
  });

  it('fails when the verdict stays Awaited past --timeout, and stops the engine first', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Awaited' } });
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--timeout', '2s'], { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    const patches = stopPatches(server);
    expect(patches).toHaveLength(1);
    expect(patches[0]!.contentType).toBe('application/merge-patch+json');
    const run = parseRun(res.stdout);
    expect(run.status).toBe('failed');
    expect(run.chaos.experiment).toMatchObject({ status: 'stopped', result: 'failed' });
    const verdict = run.cases.find((c: any) => c.name === 'verdict');
    expect(verdict.status).toBe('timed_out');
    expect(verdict.errorMessage).toContain('Awaited');
    expect(run.chaos.experiment.audit.map((a: any) => a.action)).toContain('aborted');
    const verdictObs = run.chaos.experiment.observations.find((o: any) => o.observation_type === 'verdict');
    expect(verdictObs.metric_value).toBe('Stopped');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s patches the engine to stop, waits for Stopped, saves the run as interrupted and exits %i', async (signal, code) => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Awaited' } });
    const cli = startCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir, env: cliEnv() });
    await waitFor(() => server.requests.some((r) => r.method === 'GET' && r.path.includes('/chaosresults/') ) && engineCreates(server).length === 1);
    const engineName = (engineCreates(server)[0]!.body as any).metadata.name;
    await waitFor(() => server.get('chaosresults', 'shop', `${engineName}-pod-delete`) !== undefined);
    cli.child.kill(signal);
    const res = await cli.done;
    expect(res.exitCode).toBe(code);
    expect(stopPatches(server)).toHaveLength(1);
    expect(server.get('chaosengines', 'shop', engineName)!.spec.engineState).toBe('stop');
    expect(server.get('chaosresults', 'shop', `${engineName}-pod-delete`)!.status.experimentStatus.verdict).toBe('Stopped');
    const run = parseRun(res.stdout);
    expect(run.status).toBe('interrupted');
    expect(run.chaos.experiment.status).toBe('stopped');
    expect(run.chaos.experiment.audit.find((a: any) => a.action === 'aborted').detail).toContain(signal);
    const shown = await runCli(['--db', ws.db, '--json', 'runs', 'show', run.id], { cwd: ws.dir });
    expect(JSON.parse(shown.stdout).status).toBe('interrupted');
  });

  it('refuses production without --approve and touches nothing in the cluster', async () => {
    const { server, ws, base, tail } = await setup();
    const res = await runCli([...base, 'backend-pod-delete-production', ...tail], { cwd: ws.dir, env: cliEnv({ SHOPFDS_APPROVERS: 'alice,bob' }) });
    expect(res.exitCode).toBe(1);
    expect(res.stderr.split('\n')[0]).toMatch(/^shopfds-test: error E_GATE_APPROVAL: refusing to run "backend-pod-delete-production" \(in production\) without --approve$/);
    expect(server.mutations()).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('refuses an approver who is not on the approvers list and touches nothing', async () => {
    const { server, ws, base, tail } = await setup();
    const res = await runCli([...base, 'backend-pod-delete-production', ...tail, '--approve', '--approver', 'mallory'], {
      cwd: ws.dir,
      env: cliEnv({ SHOPFDS_APPROVERS: 'alice,bob' }),
    });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain('approver "mallory" is not on the approvers list');
    expect(server.mutations()).toEqual([]);
  });

  it('runs --env production for an approver from shopfds.config and records the approval', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 100 } });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(ws.dir, 'shopfds.config.json'), JSON.stringify({ chaos: { approvers: ['alice'] } }));
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--env', 'production', '--approve', '--approver', 'alice'], { cwd: ws.dir });
    expect(res.exitCode).toBe(0);
    expect(engineCreates(server)).toHaveLength(1);
    const e = parseRun(res.stdout).chaos.experiment;
    expect(e).toMatchObject({ environment: 'production', approval_required: true, approved_by: 'alice' });
    expect(e.audit.find((a: any) => a.action === 'approved').actor).toBe('alice');
  });

  it('does not inject chaos when the steady state does not hold before', async () => {
    const { server, ws, base, tail } = await setup({ pods: [...pods('fds', false)] });
    const res = await runCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    expect(server.mutations()).toEqual([]);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('failed');
    expect(run.chaos.experiment).toMatchObject({ status: 'failed', result: 'failed', started_at: null });
    expect(run.cases[0]).toMatchObject({ name: 'ready pods', status: 'failed' });
    expect(run.chaos.experiment.audit.map((a: any) => a.action)).toEqual(['created', 'refused']);
  });

  it('does not inject chaos when the HTTP probe fails before', async () => {
    const { server, ws, base, tail } = await setup();
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--probe-url', `${healthUrl}/down`], { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    expect(server.mutations()).toEqual([]);
    expect(parseRun(res.stdout).cases.find((c: any) => c.name === 'http probe').status).toBe('failed');
  });

  it('fails when recovery takes longer than --recovery-target', async () => {
    const { ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 8000 } });
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--recovery-target', '1'], { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    const run = parseRun(res.stdout);
    expect(run.chaos.experiment).toMatchObject({ status: 'completed', result: 'failed', recovery_target_sec: 1 });
    expect(run.cases.find((c: any) => c.name === 'verdict').status).toBe('passed');
    expect(run.cases.find((c: any) => c.suitePath[1] === 'recovery').status).toBe('failed');
  });

  it('exits 3 when kubectl is missing, and nothing reaches the cluster', async () => {
    const { server, ws, base, tail } = await setup();
    const res = await runCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir, env: cliEnv({ SHOPFDS_KUBECTL: '/nonexistent/kubectl' }) });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toContain('kubectl not found');
    expect(server.requests).toEqual([]);
  });

  it('exits 3 when the API server is unreachable', async () => {
    const server = await startKubeApiServer();
    const ws = kubeWorkspace(server);
    cleanups.push(ws.cleanup);
    await server.close();
    const res = await runCli(['--db', ws.db, 'chaos', 'run', 'fds-pod-delete', '--dir', EXPERIMENTS, ...ws.args, ...POLL], { cwd: ws.dir });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toContain('unreachable');
    expect(existsSync(ws.db)).toBe(false);
  });

  it('--dry-run prints the plan and the ChaosEngine manifest and applies nothing', async () => {
    const { server, ws, tail } = await setup();
    const res = await runCli(['--db', ws.db, 'chaos', 'run', 'backend-pod-delete-production', ...tail, '--dry-run'], { cwd: ws.dir });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('dry run, nothing is applied');
    expect(res.stdout).toContain('a real run would be refused');
    expect(res.stdout).toContain('kind: ChaosEngine');
    expect(res.stdout).toContain('engineState: active');
    expect(server.requests).toEqual([]);
  });
});

describe('chaos list | validate | show', () => {
  it('lists the shipped example experiments', async () => {
    const res = await runCli(['--json', 'chaos', 'list'], { cwd: REPO_ROOT });
    expect(res.exitCode).toBe(0);
    const rows = JSON.parse(res.stdout);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.some((r: any) => r.environment === 'production' && r.approval_required)).toBe(true);
    expect(new Set(rows.map((r: any) => r.experiment_type))).toEqual(expect.objectContaining({ size: expect.any(Number) }));
  });

  it('validates the shipped experiments', async () => {
    const res = await runCli(['chaos', 'validate'], { cwd: REPO_ROOT });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/\d+ experiments valid/);
  });

  it('reports every problem of an invalid file with exit 2', async () => {
    const res = await runCli(['chaos', 'validate', 'test/chaos/fixtures/invalid'], { cwd: REPO_ROOT });
    expect(res.exitCode).toBe(2);
    for (const key of ['experiment_type', 'steady_state_hypothesis.error_rate', 'duration_sec', 'kubernetes_namespace']) {
      expect(res.stderr).toContain(`test/chaos/fixtures/invalid/broken.yaml: ${key}:`);
    }
    expect(res.stderr).toContain('test/chaos/fixtures/invalid/production-unapproved.yaml: approval_required: must be true in production');
  });

  it('shows an experiment with its ChaosEngine', async () => {
    const res = await runCli(['chaos', 'show', 'ecommerce-backend-network-latency'], { cwd: REPO_ROOT });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('name: pod-network-latency');
    expect(res.stdout).toContain('NETWORK_LATENCY');
  });
});

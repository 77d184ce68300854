import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeApiServer, KubeApiServerOptions } from '../kube-api-server/server.js';
import { cliEnv } from '../helpers/cli.js';
import { CHAOS_EXPERIMENTS as EXPERIMENTS, engineCreates, kubeWorkspace, parseRun, REPO_ROOT, runCli, setupChaosRun, startCli, startHttpServer, stopPatches, waitFor } from './harness.js';

/*
 * Verdicts a release engineer can trust: `chaos run` through the built bin and the real kubectl,
 * against the stand-in Kubernetes API server (Litmus operator simulation with timelines and faults).
 */

let health: Awaited<ReturnType<typeof startHttpServer>>;
let healthUrl = '';
let slowFirst: Awaited<ReturnType<typeof startHttpServer>>;
let slowFirstUrl = '';
beforeAll(async () => {
  health = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  healthUrl = health.url;
  // A service that answers in a few ms, except the first request of each new connection (set-up cost).
  const seen = new WeakSet<object>();
  slowFirst = await startHttpServer((req, res) => {
    const fresh = !seen.has(req.socket);
    seen.add(req.socket);
    setTimeout(
      () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      },
      fresh ? 1500 : 5,
    );
  });
  slowFirstUrl = `${slowFirst.url}/health`;
});
afterAll(async () => {
  await health.close();
  await slowFirst.close();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});
const setup = (options: KubeApiServerOptions = {}) => setupChaosRun(cleanups, options);

const engineName = (server: KubeApiServer) => (engineCreates(server)[0]!.body as any).metadata.name as string;
const observation = (run: any, metric: string) => run.chaos.experiment.observations.find((o: any) => o.metric_name === metric);

async function shownRun(ws: { db: string; dir: string }, id: string) {
  const shown = await runCli(['--db', ws.db, '--json', 'runs', 'show', id], { cwd: ws.dir });
  expect(shown.exitCode).toBe(0);
  return JSON.parse(shown.stdout);
}

describe('chaos run verdicts (real kubectl, stand-in Litmus API server with timelines and faults)', () => {
  it('1. measures recovery from the end of chaos as the cluster reports it, not from when the verdict was read', async () => {
    // Chaos ends at T (PostChaosCheck event); pods are Ready at T+6s; the verdict is written at T+7s.
    // Measured from when the verdict was read, recovery would look instant (within the 4 s target);
    // from the end of chaos it is 6 s, too slow. The pods turn Ready before the verdict exists (the
    // stand-in's timers fire in that order), so the result does not depend on how fast the command
    // reaches its first recovery check, which it makes only after the 4 s target has passed.
    const { ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, verdictDelayMs: 7000, recoveryMs: 6000 } });
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--recovery-target', '4'], { cwd: ws.dir });
    const run = parseRun(res.stdout);
    const e = run.chaos.experiment;
    expect(e.recovery_time_sec).toBeGreaterThanOrEqual(5);
    expect(e.result).toBe('failed');
    expect(res.exitCode).toBe(1);
    const ended = observation(run, 'chaos_ended_at');
    const recovered = observation(run, 'recovered_at');
    expect(ended.notes).toContain('PostChaosCheck');
    expect(recovered.notes).toContain('lastTransitionTime');
    // Both cluster timestamps are stored, and the recovery time is their difference.
    expect(Math.round((Date.parse(recovered.metric_value) - Date.parse(ended.metric_value)) / 1000)).toBe(e.recovery_time_sec);
    expect(run.cases.find((c: any) => c.suitePath[1] === 'recovery').properties).toMatchObject({ chaos_ended_at: ended.metric_value, recovered_at: recovered.metric_value });
  });

  it('2. a stop patch that times out is stored as "stop not confirmed" (exit 3) with the full manual command', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Awaited' }, faults: [{ method: 'PATCH', path: '/chaosengines/', action: 'hang' }] });
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--timeout', '2s', '--request-timeout', '2s', '--stop-timeout', '6s'], { cwd: ws.dir });
    expect(res.exitCode).toBe(3);
    const name = engineName(server);
    expect(server.faulted.filter((r) => r.method === 'PATCH').length).toBeGreaterThanOrEqual(1);
    expect(server.get('chaosengines', 'shop', name)!.spec.engineState).toBe('active');
    const manual = `kubectl patch chaosengine ${name} -n shop --type merge -p '{"spec":{"engineState":"stop"}}'`;
    expect(res.stderr).toContain(manual);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('error');
    expect(run.errorMessage).toContain('stop not confirmed');
    expect(run.chaos.experiment.status).not.toBe('stopped');
    expect(run.metadata.manual_stop_command).toBe(manual);
    expect(run.chaos.experiment.audit.some((a: any) => a.action === 'aborted' && a.detail.includes('stop not confirmed'))).toBe(true);
    expect((await shownRun(ws, run.id)).status).toBe('error');
  });

  it('3. a second Ctrl-C still sends the stop, stores the run as interrupted and prints the stop command', async () => {
    // The operator never confirms the stop, so the command is still waiting when the second Ctrl-C comes.
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Awaited', stopDelayMs: Infinity } });
    const cli = startCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir, env: cliEnv(), timeoutMs: 90_000 });
    await waitFor(() => engineCreates(server).length === 1, 60_000);
    const name = engineName(server);
    await waitFor(() => server.get('chaosresults', 'shop', `${name}-pod-delete`) !== undefined, 60_000);
    cli.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    cli.child.kill('SIGINT');
    const res = await cli.done;
    expect(res.exitCode).toBe(130);
    expect(stopPatches(server)).toHaveLength(1);
    expect(res.stderr).toContain(name);
    expect(res.stderr).toContain(`patch chaosengine ${name} -n shop --type merge`);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('interrupted');
    expect((await shownRun(ws, run.id)).status).toBe('interrupted');
  }, 120_000);

  it('4. interrupted while measuring recovery is stored as interrupted with an "aborted" audit entry', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 60_000 } });
    const cli = startCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir, env: cliEnv(), timeoutMs: 90_000 });
    // Recovery starts once the command asked the cluster when chaos ended.
    await waitFor(() => server.requests.some((r) => r.path.endsWith('/events') && (r.query.fieldSelector ?? '').includes('ChaosEngine')), 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    cli.child.kill('SIGINT');
    const res = await cli.done;
    expect(res.exitCode).toBe(130);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('interrupted');
    const e = run.chaos.experiment;
    expect(e.result).toBeNull();
    const actions = e.audit.map((a: any) => a.action);
    expect(actions).toContain('aborted');
    expect(actions).not.toContain('completed');
    expect(run.cases.find((c: any) => c.suitePath[1] === 'recovery').status).toBe('interrupted');
    // Chaos had ended on its own: nothing to stop.
    expect(stopPatches(server)).toHaveLength(0);
  }, 120_000);

  it('5a. a 500 on every apply is a cluster API error (exit 3), retried with backoff and recorded', async () => {
    const { server, ws, base, tail } = await setup({ faults: [{ method: 'POST', path: '/chaosengines', action: { status: 500 } }] });
    const res = await runCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir });
    expect(res.exitCode).toBe(3);
    expect(server.faulted.length).toBeGreaterThanOrEqual(2);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('error');
    expect(run.errorMessage).toMatch(/^cluster API error: /);
    expect(run.chaos.experiment.result).toBeNull();
    expect(run.chaos.experiment.observations.filter((o: any) => o.metric_name === 'api_retry').length).toBeGreaterThanOrEqual(1);
  });

  it('5b. a transient 500 on apply is retried and the run goes on', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 200 }, faults: [{ method: 'POST', path: '/chaosengines', action: { status: 503, reason: 'ServiceUnavailable' }, times: 1 }] });
    const res = await runCli([...base, 'fds-pod-delete', ...tail], { cwd: ws.dir });
    expect(res.exitCode).toBe(0);
    expect(server.faulted).toHaveLength(1);
    const retry = observation(parseRun(res.stdout), 'api_retry');
    expect(retry.notes).toContain('attempt 1');
  });

  it('5c. a hung ChaosResult read after the engine passed is a cluster API error (exit 3), not a failed experiment', async () => {
    let server!: KubeApiServer;
    const s = await setup({ chaos: { verdict: 'Pass', chaosMs: 500, recoveryMs: 200 } });
    server = s.server;
    server.addFault({ method: 'GET', path: '/chaosresults/', action: 'hang', when: () => [...engineCreates(server)].length === 1 && server.get('chaosengines', 'shop', engineName(server))?.status?.engineStatus === 'completed' });
    const res = await runCli([...s.base, 'fds-pod-delete', ...s.tail, '--request-timeout', '2s'], { cwd: s.ws.dir });
    expect(res.exitCode).toBe(3);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('error');
    expect(run.errorMessage).toContain('cluster API error');
    expect(run.chaos.experiment.result).toBeNull();
    expect(server.faulted.length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('9. the steady-state p95 discards the connection warm-up and states its sample count', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 200 } });
    const res = await runCli([...base, 'fds-pod-delete-http', ...tail, '--probe-url', slowFirstUrl], { cwd: ws.dir });
    expect(res.exitCode).toBe(0);
    expect(engineCreates(server)).toHaveLength(1);
    const run = parseRun(res.stdout);
    const before = run.cases.find((c: any) => c.suitePath[1] === 'steady state before' && c.name === 'http probe');
    expect(before.status).toBe('passed');
    expect(Number(before.properties.samples)).toBeGreaterThanOrEqual(20);
    expect(Number(before.properties.p95_ms)).toBeLessThan(1000);
    expect(observation(run, 'http_p95_ms').notes).toMatch(/\d+ samples after 1 warm-up request/);
  });

  it('10. the audit trail and observations show in runs show, Markdown and JUnit; one "completed" for a failed run', async () => {
    const { ws, base, tail } = await setup({ chaos: { verdict: 'Fail', chaosMs: 300, recoveryMs: 200 } });
    const md = join(ws.dir, 'chaos.md');
    const junit = join(ws.dir, 'chaos.xml');
    const res = await runCli([...base, 'fds-pod-delete', ...tail, '--markdown', md, '--junit', junit], { cwd: ws.dir });
    expect(res.exitCode).toBe(1);
    const run = parseRun(res.stdout);
    expect(run.chaos.experiment.audit.filter((a: any) => a.action === 'completed')).toHaveLength(1);
    const shown = await runCli(['--db', ws.db, 'runs', 'show', run.id], { cwd: ws.dir });
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain('audit trail:');
    expect(shown.stdout).toMatch(/ started by /);
    expect(shown.stdout).toContain('chaos_ended_at=');
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toContain('#### Audit trail');
    expect(markdown).toMatch(/\| completed \|/);
    expect(markdown).toContain('#### Observations');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<property name="chaos\.audit\.1" value="[^"]+ created by /);
    expect(xml).toMatch(/<property name="chaos\.observation\.\d+" value="[^"]+ verdict verdict=Fail/);
  });

  it('10. a refused gate attempt is stored in the audit trail (who, what, why) and nothing reaches the cluster', async () => {
    const { server, ws, base, tail } = await setup();
    const res = await runCli([...base, 'backend-pod-delete-production', ...tail, '--approve', '--approver', 'mallory'], { cwd: ws.dir, env: cliEnv({ SHOPFDS_APPROVERS: 'alice,bob', SHOPFDS_EXECUTED_BY: 'mallory-laptop' }) });
    expect(res.exitCode).toBe(1);
    expect(res.stderr.split('\n')[0]).toContain('refusing to run "backend-pod-delete-production"');
    expect(server.requests).toEqual([]);
    const run = parseRun(res.stdout);
    const refused = run.chaos.experiment.audit.find((a: any) => a.action === 'refused');
    expect(refused.actor).toBe('mallory');
    expect(refused.detail).toContain('not on the approvers list');
    expect(refused.detail).toContain('requested by mallory-laptop');
    expect(run.chaos.experiment.approved_by).toBeNull();
    expect((await shownRun(ws, run.id)).chaos.experiment.audit.map((a: any) => a.action)).toEqual(['created', 'refused']);
  });

  it('10. --approver is bound to the CI identity: a mismatch is refused, and without --approver the CI identity approves', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 200 } });
    const env = cliEnv({ SHOPFDS_APPROVERS: 'alice,bob', GITHUB_ACTOR: 'alice' });
    const mismatch = await runCli([...base, 'backend-pod-delete-production', ...tail, '--approve', '--approver', 'bob'], { cwd: ws.dir, env });
    expect(mismatch.exitCode).toBe(1);
    expect(mismatch.stderr).toContain('does not match the CI identity GITHUB_ACTOR="alice"');
    expect(server.requests).toEqual([]);
    const bound = await runCli([...base, 'backend-pod-delete-production', ...tail, '--approve'], { cwd: ws.dir, env });
    expect(bound.exitCode).toBe(0);
    const e = parseRun(bound.stdout).chaos.experiment;
    expect(e.approved_by).toBe('alice');
    expect(e.audit.find((a: any) => a.action === 'approved').detail).toContain('GITHUB_ACTOR');
  }, 120_000);

  it('11. Ctrl-C during the steady-state check says "aborted before chaos", not a kubectl exit code', async () => {
    const { server, ws, base, tail } = await setup({ faults: [{ method: 'GET', path: '/pods', action: 'hang' }] });
    const cli = startCli([...base, 'fds-pod-delete', ...tail, '--request-timeout', '30s'], { cwd: ws.dir, env: cliEnv() });
    await waitFor(() => server.faulted.length >= 1, 60_000);
    cli.child.kill('SIGINT');
    const res = await cli.done;
    expect(res.exitCode).toBe(130);
    expect(res.stderr).not.toContain('exit code 130');
    expect(res.stderr).toContain('aborted before chaos');
    expect(server.mutations()).toEqual([]);
    const run = parseRun(res.stdout);
    expect(run.status).toBe('interrupted');
    expect(run.chaos.experiment.audit.map((a: any) => a.action)).toEqual(['created', 'aborted']);
  }, 120_000);

  it('11. the stored hypothesis URL is the --probe-url used; the in-cluster httpProbe keeps the file URL', async () => {
    const { server, ws, base, tail } = await setup({ chaos: { verdict: 'Pass', chaosMs: 300, recoveryMs: 200 } });
    const res = await runCli([...base, 'fds-pod-delete-probe', ...tail, '--probe-url', `${healthUrl}/health`], { cwd: ws.dir });
    expect(res.exitCode).toBe(0);
    const engine = engineCreates(server)[0]!.body as any;
    expect(engine.spec.experiments[0].spec.probe[0]['httpProbe/inputs'].url).toBe('http://fds.shop.svc.cluster.local/health');
    const h = parseRun(res.stdout).chaos.experiment.steady_state_hypothesis;
    expect(h.url).toBe(`${healthUrl}/health`);
    expect(h.file_url).toBe('http://fds.shop.svc.cluster.local/health');
  });
});

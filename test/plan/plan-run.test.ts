import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { markedProcesses, newMarker, startBin, survivorsAfter, waitFor } from '../helpers/procs.js';

/*
 * Run plans end to end: real plan files in a project of their own, run by the built CLI against the
 * bundled demo shop (a plan service), with the real Newman, the real Locust (/usr/bin/locust) and real
 * shell commands. Each test reads the stored plan run back through `runs show --json`.
 */

const temp = makeTempDir('shopfds-plan-');
afterAll(() => temp.cleanup());

const COLLECTION = join(REPO_ROOT, 'collections', 'shopfds-api.postman_collection.json');
const ENVIRONMENT = join(REPO_ROOT, 'collections', 'shopfds-local.postman_environment.json');
const LOCUSTFILE = join(REPO_ROOT, 'locust', 'shop.py');

interface StoredStep {
  id: string;
  name: string;
  status: string;
  run_ids: string[];
  started_at: string | null;
  duration_ms: number;
  notes: string;
  reason: string | null;
}
interface StoredPlanRun {
  id: string;
  kind: string;
  status: string;
  cases: Array<{ name: string; status: string; suitePath: string[]; errorMessage: string | null }>;
  plan: {
    tiers: Array<{ name: string; status: string; reason: string | null; steps: StoredStep[]; gates: Array<{ expression: string; status: string; actual: string | null; reason: string | null }> }>;
    gates: unknown[];
    event: { provider: string; event: string } | null;
  };
}

function project(name: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = join(temp.dir, name);
  mkdirSync(join(dir, 'plans'), { recursive: true });
  // A test script a team keeps in its repository: writes a JUnit report, exits by its result.
  writeFileSync(
    join(dir, 'unit.js'),
    `const fs = require('fs');
fs.mkdirSync('reports', { recursive: true });
const fail = process.env.UNIT_FAIL === '1';
fs.writeFileSync('reports/unit.xml', '<?xml version="1.0"?><testsuites><testsuite name="unit" tests="2" failures="' + (fail ? 1 : 0) + '"><testcase classname="cart" name="adds an item" time="0.01"/><testcase classname="cart" name="totals" time="0.02">' + (fail ? '<failure message="expected 3 got 4"/>' : '') + '</testcase></testsuite></testsuites>');
process.exit(fail ? 1 : 0);
`,
  );
  return { dir, env: cliEnv({ SHOPFDS_HOME: join(dir, '.shopfds') }) };
}

async function showRun(p: { dir: string; env: NodeJS.ProcessEnv }, id: string): Promise<StoredPlanRun> {
  const shown = await runBin(['--json', 'runs', 'show', id], { cwd: p.dir, env: p.env });
  expect(shown.exitCode, shown.stderr).toBe(0);
  return JSON.parse(shown.stdout);
}

async function latestPlanRun(p: { dir: string; env: NodeJS.ProcessEnv }): Promise<StoredPlanRun> {
  const listed = await runBin(['--json', 'runs', 'list', '--limit', '50'], { cwd: p.dir, env: p.env });
  expect(listed.exitCode, listed.stderr).toBe(0);
  const plan = (JSON.parse(listed.stdout) as Array<{ id: string; kind: string }>).find((r) => r.kind === 'plan');
  expect(plan, 'a stored plan run').toBeDefined();
  return showRun(p, plan!.id);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const steps = (run: StoredPlanRun) => run.plan.tiers.flatMap((t) => t.steps);

beforeAll(() => {
  expect(readFileSync(LOCUSTFILE, 'utf8')).toContain('HttpUser');
});

describe('plan run', () => {
  it('runs a passing plan: a command step importing its JUnit, an API smoke test, then a parallel load test and API run with gates', async () => {
    const p = project('passing');
    writeFileSync(
      join(p.dir, 'plans', 'release.yaml'),
      `name: release
services: [demo-shop]
tiers:
  - name: tier1
    display-name: Fast CI
    target: 5m
    steps:
      - name: Unit tests
        command: node unit.js
        junit: reports/unit.xml
      - name: API smoke
        api:
          collections: ${COLLECTION}
          environment: ${ENVIRONMENT}
  - name: tier2
    needs: [tier1]
    target: 10m
    steps:
      - parallel:
          - name: Load test
            id: load
            perf:
              script: ${LOCUSTFILE}
              users: 4
              spawn-rate: 4
              duration: 6s
            gates: ["p95 < 5s", "error_rate < 1%", "tps >= 1"]
          - name: API regression
            id: api-regression
            api:
              collections: ${COLLECTION}
              environment: ${ENVIRONMENT}
    gates: ["api.pass_rate >= 100%", "flaky <= 2"]
gates: ["failed == 0"]
`,
    );
    const result = await runBin(['plan', 'run', 'plans/release.yaml', '--junit', 'plan.xml'], { cwd: p.dir, env: p.env, timeoutMs: 400_000 });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stdout).toMatch(/^\s*Unit tests\s+passed\s+exit code 0; 2 cases: 2 passed/m);
    expect(result.stdout).toMatch(/^\s*API smoke\s+passed\s+\d+ requests, \d+ cases: \d+ passed/m);
    expect(result.stdout).toMatch(/^\s*Load test\s+passed\s+[\d.]+ req\/s, p95 \d+ ms/m);
    expect(result.stdout).toMatch(/✓ p95 < 5s\s+tier2 › Load test\s+\d+ ms/);
    expect(result.stdout).toContain('plan release passed.');

    const run = await latestPlanRun(p);
    expect(run.status).toBe('passed');
    expect(run.plan.tiers.map((t) => `${t.name}:${t.status}`)).toEqual(['tier1:passed', 'tier2:passed']);
    const all = steps(run);
    expect(all.map((s) => `${s.id}:${s.status}`)).toEqual(['unit-tests:passed', 'api-smoke:passed', 'load:passed', 'api-regression:passed']);
    // Every step's run is stored as a child of the plan run.
    for (const s of all) {
      expect(s.run_ids.length, s.name).toBe(1);
      const child = await runBin(['--json', 'runs', 'show', s.run_ids[0]!], { cwd: p.dir, env: p.env });
      expect(JSON.parse(child.stdout).parentRunId, s.name).toBe(run.id);
    }
    // The parallel steps ran at the same time: each started before the other ended.
    const load = all.find((s) => s.id === 'load')!;
    const api = all.find((s) => s.id === 'api-regression')!;
    expect(Date.parse(api.started_at!)).toBeLessThan(Date.parse(load.started_at!) + load.duration_ms);
    expect(Date.parse(load.started_at!)).toBeLessThan(Date.parse(api.started_at!) + api.duration_ms);
    // Gates are cases of the plan run, so the JUnit report shows them.
    const gates = run.plan.tiers[1]!.gates;
    expect(gates.map((g) => `${g.expression}:${g.status}`)).toEqual(['p95 < 5s:passed', 'error_rate < 1%:passed', 'tps >= 1:passed', 'api.pass_rate >= 100%:passed', 'flaky <= 2:passed']);
    // `runs show` and `report` print the same summary from the store.
    const shown = await runBin(['runs', 'show', run.id.slice(0, 8)], { cwd: p.dir, env: p.env });
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^\s*ITEM\s+RESULT\s+NOTES$/m);
    expect(shown.stdout).toMatch(/^\s*tier1 \(Fast CI\)\s+passed\s+[\d.]+s\s+5m 00s/m);
    const md = await runBin(['report', run.id, '--format', 'markdown'], { cwd: p.dir, env: p.env });
    expect(md.stdout).toMatch(/^\| Load test \| ✅ passed \| [\d.]+ req\/s, p95 \d+ ms/m);
    const junit = readFileSync(join(p.dir, 'plan.xml'), 'utf8');
    expect(junit).toMatch(/<testcase name="tier2 › gates › Load test: p95 &lt; 5s"/);
    expect(junit).toMatch(/<testcase name="tier2 › gates › api\.pass_rate &gt;= 100%"/);
    expect(junit).toMatch(/<testcase name="tier1 › Unit tests"/);
  }, 420_000);

  it('fails a gate with exit 1 and names it, and skips a tier whose needs failed', async () => {
    const p = project('gate');
    writeFileSync(
      join(p.dir, 'plans', 'gate.yaml'),
      `name: gated
services: [demo-shop]
tiers:
  - name: tier1
    steps:
      - name: API smoke
        api:
          collections: ${COLLECTION}
          environment: ${ENVIRONMENT}
        gates: ["api.pass_rate >= 100%", "p95 < 200ms"]
  - name: tier2
    needs: [tier1]
    steps:
      - name: Never runs
        command: touch tier2-ran
`,
    );
    const result = await runBin(['plan', 'run', 'gate'], { cwd: p.dir, env: p.env, timeoutMs: 200_000 });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(1);
    // p95 is measured by perf runs: no perf run in this step, so the gate cannot pass.
    expect(result.stdout).toMatch(/✗ p95 < 200ms\s+tier1 › API smoke\s+-\s+no perf run measured p95 response time/);
    expect(result.stdout).toMatch(/✓ api\.pass_rate >= 100%/);
    expect(result.stdout).toMatch(/^\s*tier2\s+skipped\s+-\s+-\s+needs tier1, which did not pass/m);
    expect(result.stdout).toContain('plan gated failed');
    const run = await latestPlanRun(p);
    expect(run.status).toBe('failed');
    expect(run.plan.tiers.map((t) => `${t.name}:${t.status}`)).toEqual(['tier1:failed', 'tier2:skipped']);
    expect(run.cases.find((c) => c.name === 'API smoke: p95 < 200ms')!.errorMessage).toMatch(/^gate failed: no perf run measured/);
    expect(() => readFileSync(join(p.dir, 'tier2-ran'))).toThrow();
  }, 240_000);

  it('stops at a service that fails its health check: exit 3, nothing else runs, the service is stopped', async () => {
    const p = project('service');
    const marker = newMarker();
    const port = await freePort();
    writeFileSync(join(p.dir, 'slow-service.js'), `setInterval(() => {}, 1000);\n`);
    writeFileSync(
      join(p.dir, 'plans', 'service.yaml'),
      `name: service-down
tiers:
  - name: tier1
    services:
      - name: backend
        run: node slow-service.js
        env: { ${marker.name}: "${marker.value}" }
        health: http://127.0.0.1:${port}/health
        health-timeout: 4s
    steps:
      - name: Smoke
        command: touch smoke-ran
  - name: tier2
    steps:
      - name: Later
        command: touch later-ran
`,
    );
    const result = await runBin(['plan', 'run', 'plans/service.yaml'], { cwd: p.dir, env: p.env, timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(3);
    expect(result.stderr).toMatch(/service "backend" did not start: no healthy answer within 4s/);
    expect(() => readFileSync(join(p.dir, 'smoke-ran'))).toThrow();
    expect(() => readFileSync(join(p.dir, 'later-ran'))).toThrow();
    expect(markedProcesses(marker)).toEqual([]);
    const run = await latestPlanRun(p);
    expect(run.status).toBe('error');
    expect(run.plan.tiers.map((t) => `${t.name}:${t.status}`)).toEqual(['tier1:error', 'tier2:not_run']);
    expect(steps(run).map((s) => s.status)).toEqual(['not_run', 'not_run']);
  }, 180_000);

  it('on Ctrl-C mid-plan exits 130, keeps the finished steps, stops the service and leaves no process behind', async () => {
    const p = project('interrupt');
    const marker = newMarker();
    const port = await freePort();
    writeFileSync(
      join(p.dir, 'service.js'),
      `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');\n`,
    );
    writeFileSync(
      join(p.dir, 'plans', 'long.yaml'),
      `name: long
tiers:
  - name: tier1
    services:
      - name: backend
        run: node service.js
        env: { ${marker.name}: "${marker.value}" }
        health: http://127.0.0.1:${port}/
    steps:
      - name: Unit tests
        command: node unit.js
        junit: reports/unit.xml
      - name: Soak
        command: sleep 300
        env: { ${marker.name}: "${marker.value}" }
      - name: After soak
        command: touch after-ran
`,
    );
    const watched = startBin(BIN, ['plan', 'run', 'plans/long.yaml'], { cwd: p.dir, env: p.env });
    await waitFor('the soak step to start', () => watched.stderr().includes('▶ Soak'), 120_000);
    await waitFor('the sleep process', () => markedProcesses(marker).some((s) => s.cmdline.includes('sleep')), 30_000);
    watched.child.kill('SIGINT');
    const closed = await watched.closed;
    expect(closed.exitCode, watched.stderr().slice(-3000)).toBe(130);
    expect(await survivorsAfter(marker)).toEqual([]);
    expect(() => readFileSync(join(p.dir, 'after-ran'))).toThrow();
    const run = await latestPlanRun(p);
    expect(run.status).toBe('interrupted');
    expect(steps(run).map((s) => `${s.name}:${s.status}`)).toEqual(['Unit tests:passed', 'Soak:interrupted', 'After soak:not_run']);
    // The finished step's own run is kept.
    const unit = steps(run)[0]!;
    const child = await showRun(p, unit.run_ids[0]!);
    expect(child.status).toBe('passed');
  }, 240_000);

  it('--from-ci picks the tiers the CI event triggers, from GitHub Actions and GitLab CI variables', async () => {
    const p = project('from-ci');
    writeFileSync(
      join(p.dir, 'plans', 'tiers.yaml'),
      `name: tiers
tiers:
  - name: tier1
    trigger: { push: true, pull_request: true }
    target: 5m
    steps:
      - name: Lint
        command: touch tier1-ran
  - name: tier2
    needs: [tier1]
    trigger: { push: { branches: [main] } }
    target: 15m
    steps:
      - name: Integration
        command: touch tier2-ran
  - name: tier3
    needs: [tier2]
    trigger: { workflow_dispatch: true, release: true }
    target: 30m
    steps:
      - name: E2E
        command: touch tier3-ran
`,
    );
    const show = async (extra: NodeJS.ProcessEnv) => {
      const r = await runBin(['--json', 'plan', 'show', 'tiers', '--from-ci'], { cwd: p.dir, env: { ...p.env, ...extra } });
      expect(r.exitCode, r.stderr).toBe(0);
      return (JSON.parse(r.stdout).tiers as Array<{ name: string; runs: boolean }>).filter((t) => t.runs).map((t) => t.name);
    };
    const github = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'shop/shop' };
    expect(await show({ ...github, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge', GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'feature' })).toEqual(['tier1']);
    expect(await show({ ...github, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/feature', GITHUB_REF_NAME: 'feature' })).toEqual(['tier1']);
    expect(await show({ ...github, GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main' })).toEqual(['tier1', 'tier2']);
    expect(await show({ ...github, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_REF: 'refs/heads/main' })).toEqual(['tier1', 'tier2', 'tier3']);
    const gitlab = { GITLAB_CI: 'true', CI_PROJECT_PATH: 'shop/shop' };
    expect(await show({ ...gitlab, CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main', CI_COMMIT_REF_NAME: 'feature' })).toEqual(['tier1']);
    expect(await show({ ...gitlab, CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main' })).toEqual(['tier1', 'tier2']);

    // And for real: a GitLab push to a feature branch runs tier1 only; the others are skipped with the reason.
    const result = await runBin(['plan', 'run', 'tiers', '--from-ci'], {
      cwd: p.dir,
      env: { ...p.env, ...gitlab, CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'feature-x', CI_COMMIT_REF_NAME: 'feature-x' },
      timeoutMs: 60_000,
    });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    expect(readFileSync(join(p.dir, 'tier1-ran'))).toBeDefined();
    expect(() => readFileSync(join(p.dir, 'tier2-ran'))).toThrow();
    const run = await latestPlanRun(p);
    expect(run.plan.event).toMatchObject({ provider: 'gitlab-ci', event: 'push' });
    expect(run.plan.tiers.map((t) => `${t.name}:${t.status}:${t.reason ?? ''}`)).toEqual([
      'tier1:passed:',
      'tier2:skipped:not triggered by push to feature-x',
      'tier3:skipped:not triggered by push to feature-x',
    ]);

    const none = await runBin(['plan', 'run', 'tiers', '--from-ci'], { cwd: p.dir, env: p.env });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/--from-ci found no CI event/);
  }, 180_000);

  it('refuses an invalid plan with exit 2 before anything runs, naming each problem', async () => {
    const p = project('invalid');
    writeFileSync(
      join(p.dir, 'plans', 'bad.yaml'),
      `name: bad
tiers:
  - name: tier1
    steps:
      - name: Smoke
        api: { collections: x.json, retries-typo: 2 }
      - name: Load
        perf: { script: load.js }
        gates: ["p95 < fast"]
      - command: touch ran
  - name: tier2
    needs: [tier9]
    steps:
      - command: "true"
`,
    );
    const validate = await runBin(['plan', 'validate', 'plans/bad.yaml'], { cwd: p.dir, env: p.env });
    expect(validate.exitCode).toBe(2);
    const problems = validate.stderr.trim().split('\n');
    expect(problems).toContain('plans/bad.yaml: tiers[0].steps[1].gates[0]: "p95 < fast" is not a gate: write <figure> <op> <value>, e.g. "p95 < 200ms" or "error_rate < 1%"');
    expect(problems).toContain('plans/bad.yaml: tiers[1].needs: "tier9" is not a tier defined before "tier2"');
    const run = await runBin(['plan', 'run', 'plans/bad.yaml'], { cwd: p.dir, env: p.env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^shopfds-test: .*plans\/bad\.yaml: /m);
    expect(() => readFileSync(join(p.dir, 'ran'))).toThrow();

    writeFileSync(join(p.dir, 'plans', 'bad.yaml'), `name: bad\ntiers:\n  - name: tier1\n    steps:\n      - name: Smoke\n        api: { collections: x.json, retries-typo: 2 }\n`);
    const option = await runBin(['plan', 'validate', 'plans/bad.yaml'], { cwd: p.dir, env: p.env });
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toContain('plans/bad.yaml: tier1 › Smoke: api has no option "retries-typo"');
  }, 120_000);

  it('runs the shipped example-release plan here: every tier, the chaos step not run (no cluster configured), the SLO gates held', async () => {
    const p = project('example-release');
    const port = await freePort();
    const env = { ...p.env, HOME: p.dir, SHOP_PORT: String(port) };
    delete env.KUBECONFIG;
    const result = await runBin(['plan', 'run', join(REPO_ROOT, 'plans', 'example-release.yaml'), '--markdown', 'summary.md'], { cwd: p.dir, env, timeoutMs: 600_000 });
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(0);
    expect(result.stdout).toMatch(/^\s*Failure test \(FDS pod delete\)\s+not run\s+no Kubernetes cluster is configured/m);
    expect(result.stdout).toContain('plan example-release passed (6 of 7 steps ran).');
    const run = await latestPlanRun(p);
    expect(run.plan.tiers.map((t) => `${t.name}:${t.status}`)).toEqual(['smoke:passed', 'integration:passed', 'resilience:passed']);
    expect(run.plan.gates.map((g) => (g as { expression: string; status: string }).status)).toEqual(['passed', 'passed', 'passed']);
    const md = readFileSync(join(p.dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| Failure test \(FDS pod delete\) \| not run \| no Kubernetes cluster is configured/);
    expect(md).toMatch(/\| `p95 < 500ms` \| integration › Load test \| ✅ passed \| \d+ ms \|/);
  }, 660_000);

  it('retries a failed step (flaky when it passes later), stops a step at its timeout, and goes on after a failure with continue-on-failure', async () => {
    const p = project('retries');
    // Fails on its first run, passes on the second: a flaky step.
    writeFileSync(join(p.dir, 'flaky.js'), `const fs = require('fs'); if (fs.existsSync('tried')) process.exit(0); fs.writeFileSync('tried', ''); process.exit(1);\n`);
    writeFileSync(
      join(p.dir, 'plans', 'retries.yaml'),
      `name: retries
tiers:
  - name: tier1
    steps:
      - name: Flaky check
        command: node flaky.js
        retries: 2
      - name: Hangs
        command: sleep 120
        timeout: 2s
        continue-on-failure: true
      - name: Still runs
        command: touch still-ran
      - name: Report from another tool
        import: reports/external.xml
`,
    );
    mkdirSync(join(p.dir, 'reports'), { recursive: true });
    writeFileSync(
      join(p.dir, 'reports', 'external.xml'),
      '<?xml version="1.0"?><testsuite name="gradle" tests="3" failures="0" skipped="1"><testcase classname="OrderTest" name="creates" time="0.2"/><testcase classname="OrderTest" name="cancels" time="0.1"/><testcase classname="OrderTest" name="refunds"><skipped/></testcase></testsuite>',
    );
    const result = await runBin(['--json', 'plan', 'run', 'retries'], { cwd: p.dir, env: p.env, timeoutMs: 120_000 });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(1);
    const run = JSON.parse(result.stdout) as StoredPlanRun & { totals: { flaky: number } };
    expect(steps(run).map((s) => `${s.name}:${s.status}`)).toEqual(['Flaky check:passed', 'Hangs:failed', 'Still runs:passed', 'Report from another tool:passed']);
    // The imported report is the step's run, a child of the plan run, with the report's own counts.
    const imported = steps(run)[3]!;
    expect(imported.notes).toBe('3 cases: 2 passed, 1 skipped');
    const child = await showRun(p, imported.run_ids[0]!);
    expect((child as unknown as { parentRunId: string }).parentRunId).toBe(run.id);
    expect(steps(run)[0]!.notes).toBe('exit code 0');
    expect(steps(run)[1]!.reason).toBe('timed out after 2s');
    expect(run.cases.map((c) => c.status)).toEqual(['flaky', 'timed_out', 'passed', 'passed']);
    expect(run.totals.flaky).toBe(1);
    expect(readFileSync(join(p.dir, 'still-ran'))).toBeDefined();
  }, 180_000);

  it('prints the JSON Schema of a plan file, and every bundled plan validates', async () => {
    const schema = await runBin(['schema', 'plan'], { cwd: REPO_ROOT, env: cliEnv() });
    expect(schema.exitCode, schema.stderr).toBe(0);
    const parsed = JSON.parse(schema.stdout);
    expect(parsed.$id).toBe('https://shopfds.test/schemas/plan.json');
    expect(Object.keys(parsed.properties)).toEqual(expect.arrayContaining(['name', 'tiers', 'services', 'gates']));
    const validate = await runBin(['plan', 'validate', 'plans/demo.yaml', 'plans/example-release.yaml'], { cwd: REPO_ROOT, env: cliEnv() });
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('plans/example-release.yaml: ok (3 tiers, 7 steps)');
    const list = await runBin(['plan', 'list'], { cwd: REPO_ROOT, env: cliEnv() });
    expect(list.stdout).toMatch(/^plans\/example-release\.yaml\s+example-release\s+smoke, integration, resilience\s+7/m);
  }, 60_000);

  it('--tier runs a tier and the tiers it needs (shown with --dry-run, nothing run); a store that is down keeps the runs in the spool with exit 4', async () => {
    const p = project('tier-store');
    writeFileSync(
      join(p.dir, 'plans', 'tiers.yaml'),
      `name: tiers
tiers:
  - name: tier1
    steps:
      - name: Lint
        command: touch tier1-ran
  - name: tier2
    needs: [tier1]
    steps:
      - name: Unit tests
        command: node unit.js
        junit: reports/unit.xml
  - name: tier3
    needs: [tier2]
    steps:
      - name: E2E
        command: touch tier3-ran
`,
    );
    const dry = await runBin(['--json', 'plan', 'run', 'tiers', '--tier', 'tier2', '--dry-run'], { cwd: p.dir, env: p.env });
    expect(dry.exitCode, dry.stderr).toBe(0);
    const shown = JSON.parse(dry.stdout) as { dryRun: boolean; tiers: Array<{ name: string; runs: boolean; reason: string | null }> };
    expect(shown.dryRun).toBe(true);
    expect(shown.tiers.map((t) => `${t.name}:${t.runs}:${t.reason ?? ''}`)).toEqual(['tier1:true:', 'tier2:true:', 'tier3:false:not selected (--tier tier2)']);
    expect(() => readFileSync(join(p.dir, 'tier1-ran'))).toThrow();
    const unknown = await runBin(['plan', 'run', 'tiers', '--tier', 'tier9'], { cwd: p.dir, env: p.env });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^shopfds-test: error E_USAGE: --tier tier9: the plan has no such tier \(its tiers: tier1, tier2, tier3\)$/m);

    // The store is down: the step runs and the plan run go to the spool, nothing is lost, exit 4.
    const down = await runBin(['--db', 'postgres://shopfds@127.0.0.1:1/none', 'plan', 'run', 'tiers', '--tier', 'tier2'], { cwd: p.dir, env: p.env, timeoutMs: 120_000 });
    expect(down.exitCode, down.stderr.slice(-2000)).toBe(4);
    expect(readFileSync(join(p.dir, 'tier1-ran'))).toBeDefined();
    expect(() => readFileSync(join(p.dir, 'tier3-ran'))).toThrow();
    const status = await runBin(['--json', 'db', 'status'], { cwd: p.dir, env: p.env });
    const spooled = JSON.stringify(JSON.parse(status.stdout));
    expect(spooled).toContain('"kind":"plan"');
    expect(spooled).toContain('unit');
  }, 180_000);
});

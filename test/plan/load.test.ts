import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPlan, planSteps, type PlanDef } from '../../src/plan/load.js';
import { planJsonSchema } from '../../src/plan/schema.js';

/** Plans are written as YAML, as users write them. */
function load(yaml: string, env: Record<string, string | undefined> = {}) {
  return loadPlan(parse(yaml), env);
}

function ok(yaml: string, env: Record<string, string | undefined> = {}): PlanDef {
  const loaded = load(yaml, env);
  if (!loaded.ok) throw new Error(`plan did not load:\n  ${loaded.problems.join('\n  ')}`);
  return loaded.plan;
}

function problems(yaml: string, env: Record<string, string | undefined> = {}): readonly string[] {
  const loaded = load(yaml, env);
  if (loaded.ok) throw new Error('plan loaded, problems expected');
  return loaded.problems;
}

const RELEASE = `
name: release
description: the release validation of seed 002
env: staging
base-url: https://staging.shop.example
services:
  - demo-shop
tiers:
  - name: tier1
    display-name: Fast checks
    trigger: { push: true, pull_request: true }
    target: 5m
    steps:
      - name: Migrate
        command: npm run migrate
        cwd: backend
        env: { NODE_ENV: test }
        timeout: 90s
        retries: 1
      - import: reports/unit.xml
      - e2e:
          paths: [scenarios/smoke]
          retries: 0
        tags: [smoke]
  - name: tier2
    trigger: { push: { branches: [main] } }
    target: 900
    needs: [tier1]
    services:
      - name: api
        run: node server.js
        health: http://127.0.0.1:8080/health
        health-timeout: 30s
    steps:
      - parallel:
          - api: { collections: collections/shop.json }
            id: api-smoke
          - perf: { script: k6/load.js, type: load }
            gates: [p95 < 200ms, error_rate < 1%]
        name: smoke and load
      - run: [chaos, run, pod-delete]
        optional: true
        requires-env: [KUBECONFIG]
        continue-on-failure: true
    gates: [e2e.pass_rate >= 100%, flaky <= 2]
gates: [failed == 0]
`;

describe('loadPlan: a valid plan', () => {
  const plan = ok(RELEASE);

  it('keeps the plan fields and its services', () => {
    expect(plan).toMatchObject({ name: 'release', description: 'the release validation of seed 002', env: 'staging', baseUrl: 'https://staging.shop.example' });
    expect(plan.services).toEqual([{ name: 'demo shop', demoShop: true, run: null, cwd: null, env: {}, health: null, healthTimeoutMs: 60_000, baseUrl: null, stop: null }]);
    expect(plan.gates.map((g) => g.expression)).toEqual(['failed == 0']);
  });

  it('gives tiers their trigger, target in ms, needs, services and gates', () => {
    const [tier1, tier2] = plan.tiers;
    expect(tier1).toMatchObject({ name: 'tier1', displayName: 'Fast checks', trigger: { push: true, pull_request: true }, targetMs: 300_000, needs: [] });
    expect(tier2).toMatchObject({ name: 'tier2', displayName: null, trigger: { push: { branches: ['main'] } }, targetMs: 900_000, needs: ['tier1'] });
    expect(tier2!.services).toEqual([
      { name: 'api', demoShop: false, run: 'node server.js', cwd: null, env: {}, health: 'http://127.0.0.1:8080/health', healthTimeoutMs: 30_000, baseUrl: 'http://127.0.0.1:8080', stop: null },
    ]);
    expect(tier2!.gates).toEqual([
      { expression: 'e2e.pass_rate >= 100%', kind: 'e2e', figure: 'pass_rate', op: '>=', value: 100 },
      { expression: 'flaky <= 2', kind: null, figure: 'flaky', op: '<=', value: 2 },
    ]);
  });

  it('types every step, with ids from names and normalized options', () => {
    const [migrate, unit, e2e, api, perf, chaos] = planSteps(plan);
    expect(migrate).toMatchObject({ id: 'migrate', name: 'Migrate', kind: 'command', shell: 'npm run migrate', cwd: 'backend', env: { NODE_ENV: 'test' }, timeoutMs: 90_000, retries: 1, files: [] });
    expect(unit).toMatchObject({ id: 'import-reports-unit-xml', name: 'import reports/unit.xml', kind: 'import', files: ['reports/unit.xml'], importFormat: null });
    expect(e2e).toMatchObject({ id: 'e2e-scenarios-smoke', kind: 'run', command: 'e2e', options: { paths: ['scenarios/smoke'], retries: 0 }, argv: null, tags: ['smoke'], retries: 0 });
    expect(api).toMatchObject({ id: 'api-smoke', name: 'api collections/shop.json', command: 'api' });
    expect(perf).toMatchObject({ id: 'perf-k6-load-js', command: 'perf', continueOnFailure: false });
    expect(perf!.gates.map((g) => [g.figure, g.op, g.value])).toEqual([
      ['p95', '<', 200],
      ['error_rate', '<', 1],
    ]);
    expect(chaos).toMatchObject({ kind: 'run', command: 'chaos', argv: ['run', 'pod-delete'], optional: true, requiresEnv: ['KUBECONFIG'], continueOnFailure: true, timeoutMs: null });
  });

  it('keeps parallel groups apart from single steps', () => {
    expect(plan.tiers[0]!.groups.map((g) => [g.parallel, g.steps.length])).toEqual([
      [false, 1],
      [false, 1],
      [false, 1],
    ]);
    expect(plan.tiers[1]!.groups.map((g) => ({ name: g.name, parallel: g.parallel, ids: g.steps.map((s) => s.id) }))).toEqual([
      { name: 'smoke and load', parallel: true, ids: ['api-smoke', 'perf-k6-load-js'] },
      { name: null, parallel: false, ids: ['chaos-run-pod-delete'] },
    ]);
  });

  it('names a command step by its first line and an options-less run step by its command', () => {
    const plan = ok(`
name: p
tiers:
  - name: t
    steps:
      - command: |
          ./scripts/smoke.sh --fast
          echo done
        junit: [out/a.xml, out/b.xml]
      - e2e:
      - import: { files: [k6.json], format: k6, kind: perf }
`);
    const [command, e2e, imported] = planSteps(plan);
    expect(command).toMatchObject({ name: './scripts/smoke.sh --fast', id: 'scripts-smoke-sh-fast', files: ['out/a.xml', 'out/b.xml'] });
    expect(e2e).toMatchObject({ name: 'e2e', id: 'e2e', command: 'e2e', options: {} });
    expect(imported).toMatchObject({ kind: 'import', files: ['k6.json'], importFormat: 'k6', importKind: 'perf' });
  });

  it('numbers ids of steps with the same name', () => {
    const plan = ok(`
name: p
tiers:
  - name: t1
    steps: [{ command: make test }, { command: make test }]
  - name: t2
    steps: [{ command: make test }]
`);
    expect(planSteps(plan).map((s) => s.id)).toEqual(['make-test', 'make-test-2', 'make-test-3']);
  });

  it('matches the JSON Schema it publishes', () => {
    const schema = planJsonSchema();
    expect(schema).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'shopfds-test run plan', type: 'object', required: expect.arrayContaining(['name', 'tiers']) });
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(['name', 'tiers', 'services', 'gates', 'base-url']));
  });
});

describe('loadPlan: problems name where they are', () => {
  it('reports unknown keys at every level', () => {
    expect(
      problems(`
name: p
owner: qa
tiers:
  - name: t
    trigger: { push: { branch: [main] } }
    step: []
    steps:
      - command: make test
        timout: 5m
`),
    ).toEqual(['tiers[0].trigger.push: unknown key "branch"', 'tiers[0]: unknown key "step"', '(plan): unknown key "owner"']);
    expect(problems('name: p\ntiers: [{ name: t, steps: [{ command: make test, timout: 5m, retry: 1 }] }]')).toEqual(['tiers[0].steps[0]: unknown keys "timout", "retry"']);
  });

  it('reports a missing field as missing and a wrong type as the expected type', () => {
    expect(problems('tiers: [{ name: t, steps: [{ command: "true" }] }]')).toEqual(['name: expected string (missing)']);
    expect(problems('name: p\ntiers: [{ name: t, steps: [{ command: "true", retries: "2" }, { command: 5 }] }]')).toEqual([
      'tiers[0].steps[0].retries: expected number',
      'tiers[0].steps[1].command: expected string',
    ]);
    expect(problems('name: p\ntiers: []')).toEqual([expect.stringMatching(/^tiers: .*>=1/)]);
    expect(problems('name: p\ntiers: [{ name: "bad name", steps: [{ command: "true" }] }]')).toEqual(['tiers[0].name: must be letters, digits, ".", "_" or "-"']);
  });

  it('reports durations that are not durations', () => {
    expect(
      problems(`
name: p
services: [{ run: ./db.sh, health: "http://127.0.0.1:5432/", health-timeout: a while }]
tiers:
  - name: t
    target: soon
    steps:
      - command: make test
        timeout: 5 minutes
      - e2e: { paths: e2e }
        timeout: 90
`),
    ).toEqual([
      'tiers[0].target: must be a duration such as 5m or 15m',
      'tiers[0].steps[0].timeout: must be a duration such as 90s, 5m or 1h30m',
      'tiers[0].steps[1].timeout: expected string',
      'services[0].health-timeout: must be a duration such as 90s, 5m or 1h30m',
    ]);
    expect(problems('name: p\ntiers: [{ name: t, target: -5, steps: [{ command: "true" }] }]')).toEqual([expect.stringMatching(/^tiers\[0\]\.target: /)]);
  });

  it('reports gates it cannot read, at step, tier and plan level', () => {
    expect(
      problems(`
name: p
tiers:
  - name: t
    steps:
      - perf: { script: load.js }
        gates: [p95 < 200ms, p95 below 200ms]
    gates: [latency < 1s]
gates: [api.p95 < 1s]
`),
    ).toEqual([
      'tiers[0].steps[0].gates[1]: "p95 below 200ms" is not a gate: write <figure> <op> <value>, e.g. "p95 < 200ms" or "error_rate < 1%"',
      expect.stringMatching(/^tiers\[0\]\.gates\[0\]: "latency < 1s": unknown figure "latency"/),
      'gates[0]: "api.p95 < 1s": p95 is measured by perf runs, not api runs',
    ]);
  });

  it('reports needs on a later tier, an unknown tier or itself', () => {
    expect(
      problems(`
name: p
tiers:
  - name: tier1
    needs: [tier2]
    steps: [{ command: "true" }]
  - name: tier2
    needs: [tier1, tier9, tier2]
    steps: [{ command: "true" }]
`),
    ).toEqual([
      'tiers[0].needs: "tier2" is not a tier defined before "tier1"',
      'tiers[1].needs: "tier9" is not a tier defined before "tier2"',
      'tiers[1].needs: "tier2" is not a tier defined before "tier2"',
    ]);
  });

  it('reports duplicate step ids and tier names', () => {
    expect(
      problems(`
name: p
tiers:
  - name: t
    steps:
      - { id: smoke, command: ./smoke.sh }
      - parallel:
          - { id: smoke, command: ./other.sh }
  - name: t
    steps: [{ id: smoke, command: "true" }]
`),
    ).toEqual(['tiers[0].steps[1].parallel[0].id: "smoke" is used by another step', 'tiers[1].name: "t" is used by another tier', 'tiers[1].steps[0].id: "smoke" is used by another step']);
  });

  it('keeps automatic ids clear of the ids the plan gives, before or after', () => {
    expect(planSteps(ok('name: p\ntiers: [{ name: t, steps: [{ command: make }, { id: make, command: make all }] }]')).map((s) => s.id)).toEqual(['make-2', 'make']);
    expect(planSteps(ok('name: p\ntiers: [{ name: t, steps: [{ id: make, command: make all }, { command: make }] }]')).map((s) => s.id)).toEqual(['make', 'make-2']);
    expect(planSteps(ok('name: p\ntiers: [{ name: a, steps: [{ command: make }] }, { name: b, steps: [{ parallel: [{ id: make, command: make all }] }] }]')).map((s) => s.id)).toEqual([
      'make-2',
      'make',
    ]);
  });

  it('reports steps that do no thing or two things', () => {
    expect(
      problems(`
name: p
tiers:
  - name: t
    steps:
      - { name: nothing }
      - { e2e: { paths: a }, api: { collections: b } }
      - { command: "true", import: x.xml }
`),
    ).toEqual([
      'tiers[0].steps[0]: a step needs one of command, import, service, run, e2e, api, perf, chaos, canary, parallel',
      'tiers[0].steps[1]: has "e2e" and "api"; a step does one thing',
      'tiers[0].steps[2]: has "command" and "import"; a step does one thing',
    ]);
  });

  it('reports parallel groups that are empty, carry other keys, hold a non-step or start a service', () => {
    expect(
      problems(`
name: p
tiers:
  - name: t
    steps:
      - parallel: []
      - parallel: [{ command: "true" }]
        timeout: 5m
      - parallel: [just a string, { service: demo-shop }, { command: "true", timout: 1s }]
`),
    ).toEqual([
      'tiers[0].steps[0].parallel: expected a list of steps',
      'tiers[0].steps[1]: unknown key "timeout" next to "parallel"',
      'tiers[0].steps[2].parallel[0]: expected a step',
      'tiers[0].steps[2].parallel[1]: a service cannot start inside "parallel"; put it before the group',
      'tiers[0].steps[2].parallel[2]: unknown key "timout"',
    ]);
  });

  it('reports services without a command and with a bad health URL', () => {
    expect(
      problems(`
name: p
services: [{ name: db }]
tiers:
  - name: t
    services: [{ run: ./api.sh, health: not a url }]
    steps: [{ service: { run: ./x.sh, port: 80 } }]
`),
    ).toEqual([
      'tiers[0].steps[0].service: unknown key "port"',
      expect.stringMatching(/^tiers\[0\]\.services\[0\]\.health: /),
      'services[0]: a service needs "run" (a command) or "demo-shop: true"',
    ]);
  });

  it('lists every problem, not only the first', () => {
    expect(problems(RELEASE.replace('timeout: 90s', 'timeout: 90 s').replace('p95 < 200ms', 'p95 < 200kb').replace('needs: [tier1]', 'needs: [tier3]'))).toHaveLength(3);
  });
});

describe('loadPlan: ${VAR} interpolation', () => {
  const PLAN = `
name: \${PLAN_NAME:-nightly}
base-url: \${BASE_URL}
tiers:
  - name: t
    steps:
      - command: curl -fsS \${BASE_URL}/health && echo $\${HOME}
        env: { TOKEN: "\${API_TOKEN:-}" }
      - e2e: { paths: ["\${SUITES:-scenarios}/smoke", "\${SUITES:-scenarios}/checkout"] }
`;

  it('takes values from the environment, defaults when unset or empty, and leaves $${...} literal', () => {
    const plan = ok(PLAN, { BASE_URL: 'http://127.0.0.1:8080', PLAN_NAME: '', SUITES: 'e2e' });
    expect(plan.name).toBe('nightly');
    expect(plan.baseUrl).toBe('http://127.0.0.1:8080');
    const [command, e2e] = planSteps(plan);
    expect(command!.shell).toBe('curl -fsS http://127.0.0.1:8080/health && echo ${HOME}');
    expect(command!.env).toEqual({ TOKEN: '' });
    expect(e2e!.options).toEqual({ paths: ['e2e/smoke', 'e2e/checkout'] });
  });

  it('reports every variable that is not set and has no default, with where it is used', () => {
    expect(problems(PLAN, {})).toEqual([
      'base-url: ${BASE_URL} is not set (give a default with ${BASE_URL:-value})',
      'tiers[0].steps[0].command: ${BASE_URL} is not set (give a default with ${BASE_URL:-value})',
    ]);
    // Set but empty counts as not set.
    expect(problems(PLAN, { BASE_URL: '' })).toHaveLength(2);
  });

  it('interpolates values only, not keys, numbers or booleans', () => {
    const plan = ok('name: p\ntiers: [{ name: t, steps: [{ command: "true", retries: 2, optional: true, env: { "${KEY}": v } }] }]', { KEY: 'X' });
    expect(planSteps(plan)[0]).toMatchObject({ retries: 2, optional: true, env: { '${KEY}': 'v' } });
  });

  it('checks the interpolated value: a variable that makes a bad duration is reported', () => {
    expect(problems('name: p\ntiers: [{ name: t, steps: [{ command: "true", timeout: "${STEP_TIMEOUT:-5m}" }] }]', { STEP_TIMEOUT: 'forever' })).toEqual([
      'tiers[0].steps[0].timeout: must be a duration such as 90s, 5m or 1h30m',
    ]);
    expect(planSteps(ok('name: p\ntiers: [{ name: t, steps: [{ command: "true", timeout: "${STEP_TIMEOUT:-5m}" }] }]'))[0]!.timeoutMs).toBe(300_000);
  });
});

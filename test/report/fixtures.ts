import { computeTotals, deriveRunStatus, validateRun, type Attempt, type Case, type CaseStatus, type Run, type RunInput } from '../../src/model/index.js';

/*
 * Builders for valid runs used by the renderer tests. Every builder returns a run that passed
 * validateRun, so a renderer is never tested against a shape the store would refuse.
 */

export const FIXED_START = '2025-11-01T18:07:18.664Z';

type CaseSpec = Partial<Omit<Case, 'ordinal' | 'attempts'>> & {
  name: string;
  status?: CaseStatus;
  /** Attempt statuses in order; defaults follow the case status (flaky: failed then passed). */
  attempts?: readonly Partial<Attempt>[] | readonly Attempt['status'][];
};

function defaultAttempts(status: CaseStatus): Attempt['status'][] {
  switch (status) {
    case 'flaky':
      return ['failed', 'passed'];
    case 'skipped':
      return ['skipped'];
    default:
      return [status];
  }
}

export function makeCase(spec: CaseSpec, ordinal: number): Case {
  const status = spec.status ?? 'passed';
  const durationMs = spec.durationMs ?? 1234.5;
  const raw = spec.attempts ?? defaultAttempts(status);
  const attempts: Attempt[] = raw.map((a, index) => {
    const given: Partial<Attempt> = typeof a === 'string' ? { status: a } : a;
    const st = given.status ?? 'passed';
    const failing = st === 'failed' || st === 'timed_out' || st === 'interrupted';
    return {
      index,
      status: st,
      durationMs: given.durationMs ?? durationMs / raw.length,
      startedAt: given.startedAt ?? null,
      errorMessage: given.errorMessage ?? (failing ? `Error: attempt ${index + 1} of ${spec.name} failed` : null),
      errorStack: given.errorStack ?? (failing ? `Error: attempt ${index + 1} failed\n    at spec.ts:${index + 10}:5` : null),
    };
  });
  const failing = status === 'failed' || status === 'timed_out' || status === 'interrupted';
  return {
    ordinal,
    suitePath: spec.suitePath ?? ['checkout.spec.ts', 'Checkout'],
    name: spec.name,
    file: spec.file === undefined ? 'checkout.spec.ts' : spec.file,
    line: spec.line ?? 10 + ordinal,
    column: spec.column ?? 5,
    project: spec.project === undefined ? 'chromium' : spec.project,
    status,
    durationMs,
    attempts,
    errorMessage: spec.errorMessage === undefined ? (failing ? `Error: expect(received).toBe(expected)\n\nExpected: 200\nReceived: 500` : null) : spec.errorMessage,
    errorStack: spec.errorStack === undefined ? (failing ? 'Error: expect(received).toBe(expected)\n    at checkout.spec.ts:12:7' : null) : spec.errorStack,
    artifacts: spec.artifacts ?? [],
    tags: spec.tags ?? [],
    properties: spec.properties ?? {},
    stdout: spec.stdout ?? null,
    stderr: spec.stderr ?? null,
  };
}

export interface RunSpec extends Partial<Omit<RunInput, 'cases' | 'totals'>> {
  cases?: readonly CaseSpec[];
  toolError?: boolean;
}

/** A complete, validated run; totals and (unless given) status follow from the cases. */
export function makeRun(spec: RunSpec = {}): Run {
  const cases = (spec.cases ?? []).map((c, i) => makeCase(c, i));
  const totals = computeTotals(cases);
  const durationMs = spec.durationMs ?? 34_567.891;
  const startedAt = spec.startedAt ?? FIXED_START;
  const input: RunInput = {
    id: spec.id ?? '6f1c2a4e-8b9d-4e2f-9a31-0c5d7e8f9a10',
    kind: spec.kind ?? 'e2e',
    name: spec.name ?? 'checkout',
    status: spec.status ?? deriveRunStatus(totals, { toolError: spec.toolError }),
    startedAt,
    completedAt: spec.completedAt ?? new Date(Date.parse(startedAt) + durationMs).toISOString(),
    durationMs,
    environment: spec.environment ?? 'local',
    trigger: spec.trigger ?? 'ci',
    executedBy: spec.executedBy ?? 'ci-bot',
    ci: spec.ci === undefined ? { provider: 'github-actions', buildId: '9876', commitSha: 'a1b2c3d', branch: 'main', jobUrl: 'https://ci.example/run/9876' } : spec.ci,
    tool: spec.tool ?? { name: 'playwright', version: '1.65.1', commandLine: 'playwright test --reporter=json' },
    totals,
    errorMessage: spec.errorMessage ?? null,
    runGroup: spec.runGroup ?? '9876',
    shard: spec.shard ?? null,
    artifacts: spec.artifacts ?? [],
    metadata: spec.metadata ?? {},
    cases,
    metrics: spec.metrics ?? [],
    e2e: spec.e2e ?? null,
    api: spec.api ?? null,
    perf: spec.perf ?? null,
    chaos: spec.chaos ?? null,
    canary: spec.canary ?? null,
  };
  const checked = validateRun(input);
  if (!checked.ok) throw new Error(`fixture run is invalid:\n  ${checked.issues.join('\n  ')}`);
  return checked.run;
}

const screenshot = (path: string, attempt: number | null = null) => ({ name: 'screenshot', kind: 'screenshot' as const, contentType: 'image/png', path, attempt });

/** An e2e run with passes, a failure with retries, a timeout, a flaky case, a skip and artifacts. */
export function normalRun(): Run {
  return makeRun({
    cases: [
      { name: 'adds to cart' },
      {
        name: 'pays with card',
        status: 'failed',
        attempts: ['failed', 'failed'],
        artifacts: [screenshot('.shopfds/artifacts/pays/test-failed-1.png', 0), screenshot('.shopfds/artifacts/pays/test-failed-2.png', 1)],
      },
      { name: 'shows receipt', status: 'timed_out', errorMessage: 'Test timeout of 30000ms exceeded.', errorStack: null },
      { name: 'applies coupon', status: 'flaky', attempts: ['failed', 'timed_out', 'passed'] },
      { name: 'gift wrap', status: 'skipped', properties: { skip: 'not in this release' } },
      { name: 'login', suitePath: ['auth.spec.ts'], file: 'auth.spec.ts', project: 'firefox', stdout: 'logged in\n' },
    ],
    artifacts: [{ name: 'report', kind: 'report', contentType: 'application/json', path: '.shopfds/artifacts/results.json', attempt: null }],
  });
}

/** A run of `n` cases with some failures, flaky cases and long names, for scale tests and the benchmark. */
export function largeRun(n: number): Run {
  const cases: CaseSpec[] = [];
  for (let i = 0; i < n; i++) {
    const suite = `suite-${i % 50}.spec.ts`;
    const long = i % 500 === 0 ? ` ${'very long name & <escaped> '.repeat(40)}` : '';
    let spec: CaseSpec = { name: `case ${i}${long}`, suitePath: [suite, `group ${i % 7}`], file: suite, durationMs: 100 + (i % 1000) };
    if (i % 97 === 0) spec = { ...spec, status: 'failed', attempts: ['failed', 'failed'] };
    else if (i % 89 === 0) spec = { ...spec, status: 'flaky' };
    else if (i % 61 === 0) spec = { ...spec, status: 'skipped' };
    cases.push(spec);
  }
  return makeRun({ name: `large run of ${n}`, cases });
}

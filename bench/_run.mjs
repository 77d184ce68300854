/*
 * Shared by the benchmarks (files starting with _ are not run by bench/run.mjs): runs and cases made
 * with the model's own makeRun/makeCase (dist/), with the defaults a benchmark does not care about,
 * and checked by validateRun so a benchmark never measures a run the CLI could not have stored.
 */
import { randomUUID } from 'node:crypto';

const model = await import(new URL('../dist/model/index.js', import.meta.url).href);

/** A case: makeCase with the given fields (attempts default to one with the case's status). */
export function benchCase(fields) {
  return model.makeCase(fields);
}

/**
 * A validated run: makeRun with a fresh id, kind e2e, a local manual run by `bench` and no kind
 * record unless the fields say otherwise. Totals and status come from the cases.
 */
export function benchRun(fields) {
  const run = model.makeRun({
    id: randomUUID(),
    kind: 'e2e',
    environment: 'local',
    trigger: 'manual',
    executedBy: 'bench',
    ci: null,
    runGroup: null,
    tool: { name: 'playwright', version: '1.65.1', commandLine: null },
    details: null,
    ...fields,
  });
  const checked = model.validateRun(run);
  if (!checked.ok) throw new Error(`bench run is invalid: ${checked.issues.slice(0, 3).join('; ')}`);
  return checked.run;
}

/**
 * `n` cases of the usual mix over 50 spec files: every 97th failed (two failed attempts, a screenshot),
 * every 89th flaky, every 61st skipped and, with `timedOutEvery`, some timed out. `name(i)` names
 * case i; `extra(i, status)` adds fields.
 */
export function mixedCases(n, { name, timedOutEvery = 0, extra = () => ({}) }) {
  const cases = [];
  for (let i = 0; i < n; i++) {
    const suite = `suite-${i % 50}.spec.ts`;
    let status = 'passed';
    if (i % 97 === 0) status = 'failed';
    else if (i % 89 === 0) status = 'flaky';
    else if (i % 61 === 0) status = 'skipped';
    else if (timedOutEvery && i % timedOutEvery === 0) status = 'timed_out';
    const failedAttempt = (index) => ({
      index,
      status: 'failed',
      durationMs: 50,
      startedAt: null,
      errorMessage: `Error: expect(received).toBe(expected) in case ${i}`,
      errorStack: `Error: expect(received).toBe(expected)\n    at ${suite}:${i % 300}:7\n    at async Promise.all (index 0)`,
    });
    const attempts =
      status === 'failed'
        ? [failedAttempt(0), failedAttempt(1)]
        : status === 'flaky'
          ? [failedAttempt(0), { index: 1, status: 'passed', durationMs: 60, startedAt: null, errorMessage: null, errorStack: null }]
          : [{ index: 0, status, durationMs: 100 + (i % 900), startedAt: null, errorMessage: null, errorStack: null }];
    const failing = status === 'failed' || status === 'timed_out';
    cases.push(
      benchCase({
        ordinal: i,
        suitePath: [suite, `group ${i % 7}`],
        name: name(i),
        file: suite,
        line: i % 300,
        column: 7,
        project: i % 2 ? 'chromium' : 'firefox',
        status,
        durationMs: 100 + (i % 900),
        attempts,
        errorMessage: failing ? 'Error: expect(received).toBe(expected)\n\nExpected: 200\nReceived: 500' : null,
        errorStack: failing ? `Error: expect(received).toBe(expected)\n    at ${suite}:${i % 300}:7` : null,
        artifacts: failing ? [{ name: 'screenshot', kind: 'screenshot', contentType: 'image/png', path: `.shopfds/artifacts/case-${i}/test-failed-1.png`, attempt: 0 }] : [],
        ...extra(i, status),
      }),
    );
  }
  return cases;
}

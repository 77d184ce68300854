// Renderer benchmark: run after building (`npm run build && node bench/report.mjs`).
// Prints medians and ratios, never asserts: the figures are for people, not for CI gates.
import { performance } from 'node:perf_hooks';
import { benchRun, mixedCases } from './_run.mjs';
import { renderJunit } from '../dist/report/junit.js';
import { renderTable } from '../dist/report/table.js';
import { renderMarkdown } from '../dist/report/markdown.js';

const CASES = 10_000;
const ROUNDS = 15;
const JUNIT_TARGET_MS = 150;

/** A 10,000-case e2e run with failures, retries, flaky cases, skips, artifacts and some very long names. */
function makeRun(n) {
  const cases = mixedCases(n, {
    name: (i) => `case ${i}${i % 500 === 0 ? ` ${'very long name & <escaped> "quoted" '.repeat(60)}` : ''}`,
    timedOutEvery: 211,
    extra: (i, status) => ({ properties: status === 'skipped' ? { skip: 'not in this release' } : {}, stdout: i % 250 === 0 ? `console output of case ${i}\n` : null }),
  });
  return benchRun({
    id: '6f1c2a4e-8b9d-4e2f-9a31-0c5d7e8f9a10',
    name: `bench run of ${n}`,
    startedAt: '2025-11-01T18:07:18.664Z',
    completedAt: '2025-11-01T18:37:18.664Z',
    durationMs: 1_800_000,
    trigger: 'ci',
    executedBy: 'ci-bot',
    ci: { provider: 'github-actions', buildId: '9876', commitSha: 'a1b2c3d', branch: 'main', jobUrl: 'https://ci.example/run/9876' },
    tool: { name: 'playwright', version: '1.65.1', commandLine: 'playwright test' },
    runGroup: '9876',
    cases,
  });
}

function median(fn) {
  for (let i = 0; i < 3; i++) fn(); // warm up the JIT
  const times = [];
  let size = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    size = fn().length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], size };
}

const run = makeRun(CASES);
const baseline = median(() => JSON.stringify(run));
const junit = median(() => renderJunit(run));
const table = median(() => renderTable(run, { color: false, detail: 'summary' }));
const tableFull = median(() => renderTable(run, { color: false, detail: 'full' }));
const markdown = median(() => renderMarkdown(run));

const f = (ms) => ms.toFixed(1);
console.log(
  `junit 10k cases: ${f(junit.ms)} ms (target ${JUNIT_TARGET_MS} ms, ${(junit.ms / JUNIT_TARGET_MS).toFixed(2)}x of target; ` +
    `JSON.stringify baseline ${f(baseline.ms)} ms, ${(junit.ms / baseline.ms).toFixed(1)}x) [${(junit.size / 1e6).toFixed(1)} MB]`,
);
for (const [name, r] of [
  ['table summary', table],
  ['table full', tableFull],
  ['markdown', markdown],
]) {
  console.log(`${name} 10k cases: ${f(r.ms)} ms (JSON.stringify baseline ${f(baseline.ms)} ms, ${(r.ms / baseline.ms).toFixed(1)}x)`);
}

#!/usr/bin/env node
/*
 * The plan engine's own overhead: `shopfds-test plan run` on a plan of 20 `command` steps that exit at
 * once (`command: "true"`) against the same 20 commands in a shell script (`sh script.sh`), in the same
 * run, interleaved so machine noise hits every case alike. Median wall time of N runs, and the mean CPU
 * time (user + system, the children's included) of the same runs, which a busy machine distorts less.
 *
 * Besides the ratio, the overhead per step: (plan - shell - CLI startup) / 20, where the CLI startup is
 * `plan validate` of the same file (the process start, the plan read and checked; no step run, nothing
 * stored). That figure also carries the fixed cost of storing and printing the plan run; the marginal
 * cost of a step, from a 1-step plan against the 20-step one, is printed next to it.
 * Targets: ratio <= 1.5x, overhead per step <= 50 ms.
 *
 *   npm run build && node bench/plan.mjs [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'shopfds-test.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const STEPS = 20;
const RATIO_TARGET = 1.5;
const PER_STEP_TARGET_MS = 50;

if (!existsSync(join(root, 'dist', 'cli', 'plan', 'engine.js'))) {
  console.error('bench/plan.mjs: build first (npm run build)');
  process.exit(2);
}

const tmp = mkdtempSync(join(tmpdir(), 'shopfds-bench-plan-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const db = join(tmp, 'results.sqlite');

function planFile(name, steps) {
  const lines = ['name: bench', 'tiers:', '  - name: commands', '    steps:'];
  for (let i = 1; i <= steps; i++) lines.push(`      - { name: step ${i}, command: "true" }`);
  const file = join(tmp, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
function script(name, lines) {
  const file = join(tmp, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const plan20 = planFile('plan20.yaml', STEPS);
const plan1 = planFile('plan1.yaml', 1);
const cases = {
  'sh script.sh (20 x true)': ['sh', [script('script20.sh', Array(STEPS).fill('true'))]],
  'sh script.sh (20 x sh -c true)': ['sh', [script('script20-sh.sh', Array(STEPS).fill("sh -c 'true'"))]],
  'sh script.sh (1 x sh -c true)': ['sh', [script('script1-sh.sh', ["sh -c 'true'"])]],
  'shopfds-test --version': [process.execPath, [bin, '--version']],
  'plan validate (20 steps)': [process.execPath, [bin, '--db', db, 'plan', 'validate', plan20]],
  'plan run (1 step)': [process.execPath, [bin, '--db', db, 'plan', 'run', plan1]],
  'plan run (20 steps)': [process.execPath, [bin, '--db', db, 'plan', 'run', plan20]],
};
const env = { ...process.env, NO_COLOR: '1', CI: '', GITHUB_ACTIONS: '', GITLAB_CI: '', JENKINS_URL: '' };

/** CPU time of this process's waited-for children, in ms (Linux /proc; null elsewhere). */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

function once([file, args]) {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  const cpu1 = childrenCpuMs();
  return { ms, cpu: cpu0 === null ? null : cpu1 - cpu0 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Warm the file system cache and create the store.
for (const c of Object.values(cases)) once(c);
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) for (const [name, c] of Object.entries(cases)) samples[name].push(once(c));

const wall = (name) => median(samples[name].map((s) => s.ms));
const cpu = (name) => (samples[name][0].cpu === null ? null : samples[name].reduce((sum, s) => sum + s.cpu, 0) / samples[name].length);
const ms = (v) => `${v.toFixed(1).padStart(7)} ms`;

console.log(`plan: ${STEPS} command steps ("true") against a shell script; median wall time of ${RUNS} interleaved runs, mean CPU time (user+sys) of the same runs`);
for (const name of Object.keys(samples)) {
  const c = cpu(name);
  console.log(`  ${name.padEnd(32)} wall ${ms(wall(name))}${c === null ? '' : `   cpu ${ms(c)}`}`);
}

let over = 0;
const verdict = (ok) => {
  if (!ok) over++;
  return ok ? 'ok' : 'OVER TARGET';
};
const figures = (pick) => {
  const plan = pick('plan run (20 steps)');
  const shell = pick('sh script.sh (20 x true)');
  const startup = pick('plan validate (20 steps)');
  const marginal = (plan - pick('plan run (1 step)')) / (STEPS - 1) - (pick('sh script.sh (20 x sh -c true)') - pick('sh script.sh (1 x sh -c true)')) / (STEPS - 1);
  return { plan, shell, startup, ratio: plan / shell, adjusted: plan / (startup + shell), perStep: (plan - shell - startup) / STEPS, marginal };
};
for (const [label, pick] of [
  ['wall', wall],
  ['cpu', cpu],
]) {
  if (pick === cpu && cpu('plan run (20 steps)') === null) continue;
  const f = figures(pick);
  console.log(`\n  ${label} time`);
  const ratio = Number.isFinite(f.ratio) ? `${f.ratio.toFixed(2).padStart(7)}x` : '    n/a '; // CPU below one clock tick
  console.log(`    plan run / sh script.sh                      ${ratio}    (target <= ${RATIO_TARGET}x)  ${label === 'wall' ? verdict(f.ratio <= RATIO_TARGET) : ''}`);
  console.log(`    plan run / (CLI startup + sh script.sh)      ${f.adjusted.toFixed(2).padStart(7)}x    (the same ratio with the CLI's fixed start-up cost on the shell's side)`);
  console.log(`    overhead per step (plan - shell - startup)/${STEPS} ${ms(f.perStep)}   (target <= ${PER_STEP_TARGET_MS} ms)  ${label === 'wall' ? verdict(f.perStep <= PER_STEP_TARGET_MS) : ''}`);
  console.log(`    marginal cost of a step over sh -c true      ${ms(f.marginal)}   (20-step plan against 1-step plan, less the same for the shell)`);
  console.log(`    CLI startup (plan validate)                  ${ms(f.startup)}`);
}
if (over) console.log(`\n  ${over} figure(s) over target`);

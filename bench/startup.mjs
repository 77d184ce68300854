#!/usr/bin/env node
/*
 * Startup cost of the CLI: `shopfds-test --version` and `--help` against `node -e 0`, the floor.
 * Median wall time of N runs of each, interleaved so machine noise hits all three alike, plus the
 * mean CPU time (user + system) of the child processes, which a busy machine distorts far less.
 * Target: each <= 1.3x node -e 0.
 *
 *   npm run build && node bench/startup.mjs [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'shopfds-test.js');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const TARGET = 1.3;

const cases = {
  'node -e 0': ['-e', '0'],
  'shopfds-test --version': [bin, '--version'],
  'shopfds-test --help': [bin, '--help'],
};
const env = { ...process.env, NO_COLOR: '1' };

/** CPU time of this process's waited-for children, in ms (Linux /proc; null elsewhere). */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // Fields 16 and 17 of stat (cutime, cstime), in clock ticks of 10 ms.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

function once(args) {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const cpu1 = childrenCpuMs();
  return { ms, cpu: cpu0 === null ? null : cpu1 - cpu0 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Warm the file system cache.
for (const args of Object.values(cases)) once(args);
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(cases)) samples[name].push(once(args));

const wall = (name) => median(samples[name].map((s) => s.ms));
const cpu = (name) => (samples[name][0].cpu === null ? null : samples[name].reduce((sum, s) => sum + s.cpu, 0) / samples[name].length);
const baseWall = wall('node -e 0');
const baseCpu = cpu('node -e 0');
console.log(`startup: median wall time of ${runs} interleaved runs; mean CPU time (user+sys) of the same runs`);
let over = 0;
for (const name of Object.keys(samples)) {
  const ratio = wall(name) / baseWall;
  const verdict = name === 'node -e 0' ? 'baseline' : ratio <= TARGET ? 'ok' : 'OVER TARGET';
  if (verdict === 'OVER TARGET') over++;
  const c = cpu(name);
  const cpuText = c === null ? '' : `   cpu ${c.toFixed(1).padStart(6)} ms  ${(c / baseCpu).toFixed(2)}x`;
  console.log(`  ${name.padEnd(24)} wall ${wall(name).toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}x  (target <= ${TARGET}x)  ${verdict.padEnd(11)}${cpuText}`);
}
if (over) console.log(`  ${over} wall-time figure(s) over target`);

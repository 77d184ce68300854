#!/usr/bin/env node
/*
 * Benchmark of the k6 JSON output ingest (`shopfds-test perf` and `import --format k6-json`).
 *
 *   npm run build && node bench/perf.mjs [--points N] [--keep]
 *
 * Generates a k6 `--out json` file of N points (default 8,000,000, about 2 GB) in k6's exact line
 * format into a temp file, then measures in the same run:
 * - `wc -l` on the file (the floor: reading the bytes and finding newlines),
 * - the ingest in a child process (one core): points/s, ratio to wc -l, peak RSS,
 * - p50/p95/p99 of http_req_duration against the exact values of the generated samples.
 * Targets: >= 1.5 million points/s, peak RSS <= 150 MB, percentiles within 1%.
 * The temp file is deleted afterwards (unless --keep).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[2] === '--ingest') {
  // Child: ingest only, then report timing, figures and peak RSS as one JSON line.
  const { readK6JsonFile } = await import(pathToFileURL(join(root, 'dist/adapters/k6/read.js')).href);
  const t0 = process.hrtime.bigint();
  const stream = await readK6JsonFile(process.argv[3]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const hist = stream.metrics.get('http_req_duration').hist;
  const usage = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      seconds,
      points: stream.points,
      lines: stream.lines,
      malformed: stream.malformed,
      rows: stream.series().rows.length,
      p50: hist.quantile(0.5),
      p95: hist.quantile(0.95),
      p99: hist.quantile(0.99),
      count: hist.count,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      maxRssKb: usage.maxRSS,
    }) + '\n',
  );
  process.exit(0);
}

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const target = Number(arg('--points', '8000000'));
if (!Number.isInteger(target) || target < 1000) {
  console.error('--points must be an integer >= 1000');
  process.exit(2);
}
const keep = args.includes('--keep');

// Seeded PRNG (mulberry32) and a log-normal latency with a slow tail.
let seed = 0x5eed;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const latency = () => {
  const base = Math.exp(Math.log(45) + 0.55 * normal());
  return Math.round((rand() < 0.02 ? base * 8 : base) * 1e6) / 1e6;
};

const pad = (n, w) => String(n).padStart(w, '0');
const startMs = Date.UTC(2024, 1, 21, 16, 43, 55);
const stamp = (ms, ns) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}${pad(ns, 6)}Z`;
};
const declare = (name, type, contains, thresholds = []) =>
  `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":${JSON.stringify(thresholds)},"submetrics":null},"metric":"${name}"}\n`;
const point = (name, time, value, tags) => `{"metric":"${name}","type":"Point","data":{"time":"${time}","value":${value},"tags":${tags}}}\n`;

const dir = mkdtempSync(join(tmpdir(), 'shopfds-k6-bench-'));
const file = join(dir, 'points.ndjson');
const cleanup = () => {
  if (!keep) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

console.log(`generating ${target.toLocaleString('en-US')} points in k6's JSON output format...`);
const fd = openSync(file, 'w');
const declared = new Set();
let out = '';
let points = 0;
let durations = new Float64Array(1 << 16);
let nDur = 0;
const flush = () => {
  writeSync(fd, out);
  out = '';
};
const emit = (name, type, contains, time, value, tags, thresholds) => {
  if (!declared.has(name)) {
    declared.add(name);
    out += declare(name, type, contains, thresholds);
  }
  out += point(name, time, value, tags);
  points++;
};
const genStart = process.hrtime.bigint();
const vus = 200;
const rps = 2000;
let second = -1;
for (let req = 0; points < target; req++) {
  const ms = startMs + Math.floor((req * 1000) / rps);
  const s = Math.floor((ms - startMs) / 1000);
  if (s !== second) {
    second = s;
    const t = stamp(ms, 0);
    emit('vus', 'gauge', 'default', t, vus, '{}');
    emit('vus_max', 'gauge', 'default', t, vus, '{}');
  }
  const time = stamp(ms, (req * 7919) % 1000000);
  const failed = rand() < 0.01;
  const status = failed ? '503' : '200';
  const path = ['/api/products', '/api/cart', '/api/orders', '/api/fds/score'][req & 3];
  const http = `{"expected_response":"${failed ? 'false' : 'true'}","group":"","method":"GET","name":"http://127.0.0.1:3000${path}","proto":"HTTP/1.1","scenario":"default","status":"${status}","url":"http://127.0.0.1:3000${path}"}`;
  const d = latency();
  if (nDur === durations.length) {
    const grown = new Float64Array(durations.length * 2);
    grown.set(durations);
    durations = grown;
  }
  durations[nDur++] = d;
  const waiting = Math.round(d * 0.97 * 1e6) / 1e6;
  emit('http_reqs', 'counter', 'default', time, 1, http);
  emit('http_req_duration', 'trend', 'time', time, d, http, ['p(95)<500']);
  emit('http_req_blocked', 'trend', 'time', time, Math.round(rand() * 20) / 1e3, http);
  emit('http_req_connecting', 'trend', 'time', time, 0, http);
  emit('http_req_tls_handshaking', 'trend', 'time', time, 0, http);
  emit('http_req_sending', 'trend', 'time', time, Math.round(rand() * 90 + 10) / 1e3, http);
  emit('http_req_waiting', 'trend', 'time', time, waiting, http);
  emit('http_req_receiving', 'trend', 'time', time, Math.round((d - waiting) * 1e6) / 1e6, http);
  emit('http_req_failed', 'rate', 'default', time, failed ? 1 : 0, http, ['rate<0.05']);
  emit('checks', 'rate', 'default', time, failed ? 0 : 1, '{"check":"status is 200","group":"","scenario":"default"}');
  const it = '{"group":"","scenario":"default"}';
  emit('data_sent', 'counter', 'data', time, 96, it);
  emit('data_received', 'counter', 'data', time, 1711, it);
  emit('iteration_duration', 'trend', 'time', time, Math.round((d + 1.3) * 1e6) / 1e6, it);
  emit('iterations', 'counter', 'default', time, 1, it);
  if (out.length > 1 << 22) flush();
}
flush();
closeSync(fd);
const bytes = statSync(file).size;
const genSeconds = Number(process.hrtime.bigint() - genStart) / 1e9;
console.log(`  ${points.toLocaleString('en-US')} points, ${(bytes / 1e9).toFixed(2)} GB in ${genSeconds.toFixed(1)} s (${file})`);

// Exact percentiles of the generated http_req_duration samples, k6's definition.
const sorted = durations.subarray(0, nDur).sort();
const exact = (q) => {
  const r = q * (nDur - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (r - lo);
};

// On a shared machine wall time includes waiting for a core, so CPU time (user + sys, one
// process, one thread doing the work) is the fair "one core" figure; both are printed.
const hasTime = existsSync('/usr/bin/time');
const time = (cmd, argv) => {
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '__TIME__ %U %S %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /__TIME__ ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  return { seconds, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : null, maxRssKb: m ? Number(m[3]) : null, stdout: r.stdout };
};

time('wc', ['-l', file]); // warm the page cache the same way for both
const wc = time('wc', ['-l', file]);
const ingestRun = time(process.execPath, [fileURLToPath(import.meta.url), '--ingest', file]);
const ingest = JSON.parse(ingestRun.stdout.trim().split('\n').pop());
// The child's own figure excludes node's start-up; /usr/bin/time's max RSS covers the whole process.
const peakKb = Math.max(ingest.maxRssKb, ingestRun.maxRssKb ?? 0);

const pps = ingest.points / ingest.cpuSeconds;
const ppsWall = ingest.points / ingest.seconds;
const wcCpu = wc.cpuSeconds ?? wc.seconds;
const rssMb = peakKb / 1024;
const rel = (a, b) => Math.abs(a - b) / b;
const errors = { p50: rel(ingest.p50, exact(0.5)), p95: rel(ingest.p95, exact(0.95)), p99: rel(ingest.p99, exact(0.99)) };
const worst = Math.max(errors.p50, errors.p95, errors.p99);

console.log('');
console.log(`file                 ${(bytes / 1e9).toFixed(2)} GB, ${ingest.lines.toLocaleString('en-US')} lines, ${ingest.points.toLocaleString('en-US')} points`);
console.log(`wc -l                ${wcCpu.toFixed(2)} s CPU, ${wc.seconds.toFixed(2)} s wall`);
console.log(`ingest               ${ingest.cpuSeconds.toFixed(2)} s CPU, ${ingest.seconds.toFixed(2)} s wall (${(bytes / ingest.cpuSeconds / 1e6).toFixed(0)} MB per CPU-second)`);
console.log(`points/s (one core)  ${(pps / 1e6).toFixed(2)} million per CPU-second, ${(ppsWall / 1e6).toFixed(2)} million per wall second   (target >= 1.5)  ${pps >= 1.5e6 ? 'ok' : 'BELOW TARGET'}`);
console.log(`ingest / wc -l       ${(ingest.cpuSeconds / wcCpu).toFixed(2)}x the CPU time of wc -l (${(ingest.seconds / wc.seconds).toFixed(2)}x wall)`);
console.log(`peak RSS             ${rssMb.toFixed(1)} MB   (target <= 150)  ${rssMb <= 150 ? 'ok' : 'ABOVE TARGET'}`);
console.log(`series rows          ${ingest.rows} (1 s buckets)`);
for (const [name, q] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]]) {
  console.log(`${name.padEnd(20)} ${ingest[name].toFixed(3)} ms vs exact ${exact(q).toFixed(3)} ms: ${(errors[name] * 100).toFixed(3)}% off`);
}
console.log(`percentile error     max ${(worst * 100).toFixed(3)}%   (target <= 1%)  ${worst <= 0.01 ? 'ok' : 'ABOVE TARGET'}`);
if (ingest.malformed) console.log(`malformed lines      ${ingest.malformed}`);
cleanup();

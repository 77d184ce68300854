#!/usr/bin/env node
/*
 * Benchmarks of the Locust adapter.
 *
 *   npm run build && node bench/locust.mjs [--duration 20s] [--users 5] [--repeat 2] [--rows 1000000] [--skip-wall]
 *
 * 1. Wall time of `shopfds-test perf --tool locust` against `locust` run directly with the same
 *    options (the bundled locust/shop.py against one demo shop started for the benchmark, runs
 *    alternated, medians compared). Target: <= 1.05x.
 * 2. Parsing a Locust `--csv-full-history` file of N rows (default 1,000,000; eight request names
 *    plus Aggregated per second, in Locust 2.12's exact columns) in a child process: rows/s, ratio
 *    to `wc -l` on the same file, peak RSS. Target: peak RSS bounded (it does not grow with the file).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[2] === '--parse') {
  const { LocustHistoryReader } = await import(pathToFileURL(join(root, 'dist/adapters/locust/stats.js')).href);
  const { readLocustHistoryFile } = await import(pathToFileURL(join(root, 'dist/adapters/locust/read.js')).href);
  const { locustSeries } = await import(pathToFileURL(join(root, 'dist/adapters/locust/stats.js')).href);
  const t0 = process.hrtime.bigint();
  const reader = new LocustHistoryReader();
  await readLocustHistoryFile(process.argv[3], reader);
  const series = locustSeries(reader.points, 1000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const usage = process.resourceUsage();
  process.stdout.write(JSON.stringify({ seconds, rows: reader.rows, points: reader.points.length, series: series.length, last: reader.points.at(-1), maxRssKb: usage.maxRSS }) + '\n');
  process.exit(0);
}

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const duration = arg('--duration', '20s');
const users = arg('--users', '5');
const repeat = Number(arg('--repeat', '2'));
const rows = Number(arg('--rows', '1000000'));
const dir = mkdtempSync(join(tmpdir(), 'shopfds-locust-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- 1. wall time against locust directly -----------------------------------------------------
if (!args.includes('--skip-wall')) {
  const shop = spawn(process.execPath, ['-e', `import(${JSON.stringify(pathToFileURL(join(root, 'dist/demo/shop.js')).href)}).then(async (m) => { const s = await m.startShop({ port: 0 }); console.log(s.url); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => shop.stdout.once('data', (d) => resolve(String(d).trim())));
  const locustfile = join(root, 'locust', 'shop.py');
  // /usr/bin/time reports the CPU time of the process and everything it started (Locust included),
  // which on a busy machine says more than wall time: CPU(perf) - CPU(locust) is our own cost.
  const timed = (file, argv, env = process.env) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', file, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: dir, encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${file} ${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(-500)}`);
    const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    return { seconds, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
  };
  const direct = [];
  const wrapped = [];
  console.log(`wall time, ${repeat} runs each alternated: locust ${users} users for ${duration} against the demo shop at ${url}`);
  for (let i = 0; i < repeat; i++) {
    const out = join(dir, `direct-${i}`);
    mkdirSync(out);
    direct.push(timed('locust', ['-f', locustfile, '--headless', '--users', users, '--spawn-rate', users, '--run-time', duration, '--host', url, '--csv', join(out, 'locust'), '--csv-full-history', '--only-summary']));
    wrapped.push(timed(process.execPath, [join(root, 'bin', 'shopfds-test.js'), 'perf', locustfile, '--users', users, '--spawn-rate', users, '--duration', duration, '--base-url', url, '--db', join(dir, 'results.db')], { ...process.env, CI: 'true', SHOPFDS_HOME: join(dir, 'home') }));
    const [d, w] = [direct.at(-1), wrapped.at(-1)];
    console.log(`  run ${i + 1}: locust ${d.seconds.toFixed(2)} s (CPU ${d.cpu.toFixed(2)} s), shopfds-test perf --tool locust ${w.seconds.toFixed(2)} s (CPU ${w.cpu.toFixed(2)} s)`);
  }
  shop.kill();
  const [dw, ww] = [median(direct.map((r) => r.seconds)), median(wrapped.map((r) => r.seconds))];
  const [dc, wc] = [median(direct.map((r) => r.cpu)), median(wrapped.map((r) => r.cpu))];
  const ratio = ww / dw;
  console.log(`median wall: locust ${dw.toFixed(2)} s, perf ${ww.toFixed(2)} s, ratio ${ratio.toFixed(3)}x (target <= 1.05x) ${ratio <= 1.05 ? 'OK' : 'OVER'}`);
  console.log(`median CPU: locust ${dc.toFixed(2)} s, perf (Locust included) ${wc.toFixed(2)} s: shopfds-test's own ${(wc - dc).toFixed(2)} CPU s; load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
}

// ---- 2. parsing a 1,000,000-row --csv-full-history file ----------------------------------------
const header = 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size\r\n';
const names = [['GET', 'GET /api/products'], ['GET', 'GET /api/products/:id'], ['POST', 'POST /api/auth/login'], ['POST', 'POST /api/auth/signup'], ['POST', 'POST /api/cart'], ['POST', 'POST /api/fds/score'], ['POST', 'POST /api/orders'], ['GET', 'GET /search?q="a, b"']];
const file = join(dir, 'big_stats_history.csv');
const fd = openSync(file, 'w');
writeSync(fd, header);
let out = '';
let written = 0;
const start = 1796226000;
const totals = new Array(names.length).fill(0);
for (let s = 0; written < rows; s++) {
  let all = 0;
  for (let n = 0; n < names.length && written < rows; n++) {
    totals[n] += 7 + (n % 3);
    all += totals[n];
    const [type, name] = names[n];
    const quoted = /[",]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
    out += `${start + s},50,${type},${quoted},12.300000,0.000000,3,5,6,7,10,15,38,44,51,51,51,${totals[n]},${s},3,5.36,1.14,51.49,504.92\r\n`;
    written++;
  }
  if (written < rows) {
    out += `${start + s},50,,Aggregated,98.400000,0.100000,3,5,6,7,10,15,38,44,51,51,51,${all},${s * 8},3,5.36,1.14,51.49,504.92\r\n`;
    written++;
  }
  if (out.length > 1 << 20) {
    writeSync(fd, out);
    out = '';
  }
}
writeSync(fd, out);
closeSync(fd);
const bytes = statSync(file).size;
const wc = (() => {
  const t0 = process.hrtime.bigint();
  spawnSync('wc', ['-l', file], { stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e9;
})();
const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--parse', file], { encoding: 'utf8' });
if (r.status !== 0) throw new Error(r.stderr);
const res = JSON.parse(r.stdout);
console.log(`parse ${res.rows.toLocaleString('en-US')} history rows (${(bytes / 1e6).toFixed(0)} MB): ${res.seconds.toFixed(2)} s, ${Math.round(res.rows / res.seconds).toLocaleString('en-US')} rows/s, ${(bytes / 1e6 / res.seconds).toFixed(0)} MB/s; wc -l ${wc.toFixed(2)} s (${(res.seconds / wc).toFixed(1)}x); ${res.points.toLocaleString('en-US')} Aggregated points, ${res.series.toLocaleString('en-US')} series rows; peak RSS ${(res.maxRssKb / 1024).toFixed(0)} MB`);

#!/usr/bin/env node
// Wall time of `shopfds-test api` against `newman run` (Newman's own CLI) on the same generated
// collection of about 200 requests, both against one bundled demo shop. Prints the medians and the
// ratio (target <= 1.05x). Standalone: build first (`npm run build`), then `node bench/api.mjs [runs]`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'shopfds-test.js');
const NEWMAN = join(ROOT, 'node_modules', '.bin', 'newman');
const RUNS = Number(process.argv[2] ?? 5);
const TARGET_REQUESTS = 200;

if (!existsSync(join(ROOT, 'dist', 'demo', 'shop.js'))) {
  console.error('bench/api.mjs: build first (npm run build)');
  process.exit(2);
}
if (!existsSync(NEWMAN)) {
  console.error('bench/api.mjs: node_modules/.bin/newman is missing (npm install)');
  process.exit(2);
}

const { startShop } = await import(join(ROOT, 'dist', 'demo', 'shop.js'));

function countRequests(items) {
  return items.reduce((n, item) => n + (Array.isArray(item.item) ? countRequests(item.item) : 1), 0);
}

/** The example collection repeated (each round signs up its own shopper) and topped up with health checks. */
function generateCollection() {
  const example = JSON.parse(readFileSync(join(ROOT, 'collections', 'shopfds-api.postman_collection.json'), 'utf8'));
  const perRound = countRequests(example.item);
  const rounds = Math.floor(TARGET_REQUESTS / perRound);
  const item = [];
  for (let round = 1; round <= rounds; round++) item.push({ name: `Round ${round}`, item: structuredClone(example.item) });
  const health = example.item.find((i) => i.name === 'Health').item[0];
  const extra = TARGET_REQUESTS - rounds * perRound;
  if (extra > 0) item.push({ name: 'Top-up', item: Array.from({ length: extra }, (_, i) => ({ ...structuredClone(health), name: `Health check ${i + 1}` })) });
  return { ...example, info: { ...example.info, name: 'ShopFDS bench', _postman_id: 'bench-200' }, item };
}

// Wall time, and CPU time (user + sys of the tool, from bash's `times`), which is steadier than wall
// time on a busy machine.
function timed(command, args, env) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const script = '"$@" 2>/dev/null; s=$?; times >&2; exit $s';
    const child = spawn('bash', ['-c', script, 'bash', command, ...args], { cwd: tmp, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e6;
      const children = stderr.trim().split('\n').at(-1) ?? '';
      const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60_000 + Number(m[2]) * 1000, 0);
      if (code !== 0) reject(new Error(`${command} exited ${code}\n${stderr.slice(-2000)}`));
      else resolvePromise({ wall, cpu });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const tmp = mkdtempSync(join(tmpdir(), 'shopfds-api-bench-'));
const shop = await startShop({ port: 0 });
try {
  const collection = generateCollection();
  const collectionFile = join(tmp, 'bench.postman_collection.json');
  writeFileSync(collectionFile, JSON.stringify(collection));
  const environmentFile = join(ROOT, 'collections', 'shopfds-local.postman_environment.json');
  const requests = countRequests(collection.item);
  const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
  for (const key of ['SHOPFDS_DATABASE_URL', 'SHOPFDS_HOME', 'SHOPFDS_DEMO_FAULTS']) delete env[key];
  const ours = () => timed(process.execPath, [BIN, '--db', join(tmp, 'bench.db'), 'api', collectionFile, '-e', environmentFile, '--base-url', shop.url], env);
  const theirs = () => timed(NEWMAN, ['run', collectionFile, '-e', environmentFile, '--env-var', `baseUrl=${shop.url}`], env);

  console.log(`collection: ${requests} requests (${collection.item.length} folders), ${RUNS} runs each, alternating, demo shop at ${shop.url}`);
  // One warm-up of each so both start with a warm file cache.
  await theirs();
  await ours();
  const a = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(await theirs());
    a.push(await ours());
    console.log(`  run ${i + 1}: newman run ${b.at(-1).wall.toFixed(0)} ms (cpu ${b.at(-1).cpu.toFixed(0)} ms), shopfds-test api ${a.at(-1).wall.toFixed(0)} ms (cpu ${a.at(-1).cpu.toFixed(0)} ms)`);
  }
  const wall = (xs) => median(xs.map((x) => x.wall));
  const cpu = (xs) => median(xs.map((x) => x.cpu));
  const ratio = wall(a) / wall(b);
  console.log(`newman run (its CLI)    median ${wall(b).toFixed(0)} ms wall, ${cpu(b).toFixed(0)} ms cpu`);
  console.log(`shopfds-test api        median ${wall(a).toFixed(0)} ms wall, ${cpu(a).toFixed(0)} ms cpu (includes validation, redaction and the SQLite write)`);
  console.log(`cpu ratio ${(cpu(a) / cpu(b)).toFixed(3)}x`);
  console.log(`wall ratio ${ratio.toFixed(3)}x (target <= 1.05x) ${ratio <= 1.05 ? 'OK' : 'ABOVE TARGET'}`);
} finally {
  await shop.close();
  rmSync(tmp, { recursive: true, force: true });
}

#!/usr/bin/env node
/*
 * Reliability benchmark: crash safety, concurrent writers and memory on huge inputs, through the
 * built store and importers (dist/).
 *
 *   npm run build && node bench/reliability.mjs [--kills 100] [--pg-kills 60] [--mb 200]
 *     [--skip-kills] [--skip-writers] [--skip-huge] [--skip-pg] [--only kills|writers|memory]
 *     [--input junit-output|junit-cases|playwright|k6 (memory part: only that input)]
 *
 * 1. kill -9 during saves: a child process saves 500-case runs in a loop and is killed with
 *    SIGKILL at a random moment, --kills times per store. After each kill: SQLite's
 *    integrity_check, and every stored run must have all its cases (no half-written run).
 * 2. 8 writers x 50 runs on each store: 8 processes save 50 runs each into one store at once,
 *    each save through a fresh store connection as the CLI does. Prints stored/400.
 * 3. 8 writers x 10,000-case runs on SQLite (2 runs each): the write lock is held only for the
 *    inserts and a locked save retries; prints stored/16 and the wall time.
 * 4. Peak RSS and MB/s on --mb sized inputs (200 MB by default): JUnit of 10 cases with 20 MB of
 *    output each, JUnit of ~1,965,000 small cases, a Playwright JSON report, k6 NDJSON. Each import
 *    runs in its own process; the baseline is the same library parsing the file and doing nothing
 *    else (saxes with no handlers for JUnit, JSON.parse for Playwright, k6's line reader). Two
 *    figures per input: the importer alone (file to run), and the whole `shopfds-test import <file>`
 *    command into a fresh SQLite store (read, hash, redact, normalize, save), run as a user runs it.
 *
 * PostgreSQL: SHOPFDS_TEST_PG_URL (admin URL), else postgres://postgres@127.0.0.1:5432/postgres.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
/** `--only kills|writers|memory` runs one part; `--skip-*` leave parts out. */
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const part = (name, skipFlag) => (only ? only === name : !args.includes(skipFlag));

// ---------------------------------------------------------------- child roles
const role = process.env.RELIABILITY_ROLE;
if (role) {
  await child(role);
  process.exit(role === 'cli' ? (process.exitCode ?? 0) : 0);
}

function reliabilityRun(cases, tag) {
  const { benchCase, benchRun } = globalThis.__bench;
  const startedAt = new Date().toISOString();
  const list = Array.from({ length: cases }, (_, i) => {
    const failed = i % 17 === 3;
    return benchCase({
      ordinal: i,
      suitePath: [`spec-${i % 50}.ts`],
      name: `case ${i} ${tag}`,
      status: failed ? 'failed' : 'passed',
      durationMs: 10,
      errorMessage: failed ? 'expected 1, got 2' : null,
      stdout: i % 10 === 0 ? 'some output line\n'.repeat(5) : null,
    });
  });
  return benchRun({ name: `reliability ${tag}`, startedAt, completedAt: startedAt, durationMs: 0, tool: { name: 'bench', version: null, commandLine: null }, cases: list });
}

async function child(kind) {
  globalThis.__bench = await import('./_run.mjs');
  const { openStore } = await dist('store/open.js');
  const target = process.env.RELIABILITY_DB;
  if (kind === 'saver') {
    // Saves forever until killed.
    for (let i = 0; ; i++) {
      const store = await openStore(target);
      const run = reliabilityRun(500, `kill ${process.pid} ${i}`);
      // Tells the parent a save is under way, so the kill lands in saves, not in start-up.
      process.stdout.write('s');
      await store.saveRun(run);
      await store.close();
    }
  }
  if (kind === 'writer') {
    const runs = Number(process.env.RELIABILITY_RUNS);
    const cases = Number(process.env.RELIABILITY_CASES);
    let ok = 0;
    const errors = [];
    for (let i = 0; i < runs; i++) {
      try {
        const store = await openStore(target);
        try {
          await store.saveRun(reliabilityRun(cases, `writer ${process.pid} ${i}`));
          ok++;
        } finally {
          await store.close();
        }
      } catch (error) {
        errors.push(error.message.split('\n')[0]);
      }
    }
    process.stdout.write(JSON.stringify({ ok, errors }));
  }
  if (kind === 'cli') {
    // The real command in this process, as bin/shopfds-test.js runs it; figures written at exit.
    const started = process.hrtime.bigint();
    const { writeFileSync } = await import('node:fs');
    process.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      writeFileSync(process.env.RELIABILITY_OUT, JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, code }));
    });
    const { main } = await dist('cli/main.js');
    await main([process.execPath, 'shopfds-test', ...JSON.parse(process.env.RELIABILITY_ARGS)]);
    return;
  }
  if (kind === 'parse') {
    const [mode, file] = [process.env.RELIABILITY_MODE, process.env.RELIABILITY_FILE];
    const started = process.hrtime.bigint();
    let cases = 0;
    const base = { id: randomUUID(), name: null, environment: 'local', executedBy: 'bench', ci: null, runGroup: null, importedAt: new Date().toISOString(), kind: null };
    if (mode === 'junit') {
      // Streamed where the importer streams: cases counted as they come, none kept.
      const junit = await dist('adapters/junit/import.js');
      if (junit.streamJunit) await junit.streamJunit(file, base, () => void cases++);
      else cases = (await junit.importJunit(file, base)).cases.length;
    }
    else if (mode === 'playwright') cases = (await (await dist('adapters/playwright/import.js')).importPlaywrightJson(file, base)).cases.length;
    else if (mode === 'k6') cases = (await (await dist('adapters/k6/import.js')).importK6Json(file, base)).cases.length;
    else if (mode === 'baseline-junit') {
      const { SaxesParser } = await import(pathToFileURL(join(root, 'node_modules/saxes/saxes.js')).href);
      const parser = new SaxesParser({ xmlns: false });
      const { createReadStream } = await import('node:fs');
      for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) parser.write(chunk);
      parser.close();
    } else if (mode === 'baseline-playwright') {
      const { readFileSync } = await import('node:fs');
      JSON.parse(readFileSync(file, 'utf8'));
    } else if (mode === 'baseline-k6') {
      const { readK6JsonFile } = await dist('adapters/k6/read.js');
      await readK6JsonFile(file);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, cases }));
  }
}

// ---------------------------------------------------------------- helpers
function runChild(kind, env, { killAfterMs, nodeArgs = ['--max-old-space-size=4096'] } = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...nodeArgs, self], { env: { ...process.env, RELIABILITY_ROLE: kind, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    let timer = null;
    if (killAfterMs) {
      // Counted from the first save, not from the start of the process.
      p.stdout.once('data', () => (timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs)));
    }
    p.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

async function pgAdmin() {
  const { default: pg } = await import('pg');
  const url = process.env.SHOPFDS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async create() {
      const name = `shopfds_bench_${randomUUID().slice(0, 8)}`;
      await client.query(`create database ${name}`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      return { url: u.toString(), drop: () => client.query(`drop database ${name} with (force)`) };
    },
    end: () => client.end(),
  };
}

async function halfWritten(target) {
  const { openStore } = await dist('store/open.js');
  const store = await openStore(target);
  try {
    const runs = await store.listRuns({ limit: 100000 });
    let bad = 0;
    for (const r of runs) {
      const run = await store.getRun(r.id);
      if (!run || run.cases.length !== r.totals.total) bad++;
    }
    return { runs: runs.length, bad };
  } finally {
    await store.close();
  }
}

async function sqliteIntegrity(file) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- 1. kill -9 during saves
const kills = flag('--kills', 100);
const skipPg = args.includes('--skip-pg');
const work = mkdtempSync(join(tmpdir(), 'shopfds-reliability-'));
const pgAdminClient = skipPg || only === 'memory' ? null : await pgAdmin().catch((e) => (console.log(`PostgreSQL unavailable (${e.message}); PostgreSQL parts skipped`), null));

async function killBench(backend, target, n) {
  // Migrate first, so the kills land in saves.
  const { openStore } = await dist('store/open.js');
  await (await openStore(target)).close();
  const started = Date.now();
  for (let i = 0; i < n; i++) await runChild('saver', { RELIABILITY_DB: target }, { killAfterMs: 20 + Math.floor(Math.random() * 3000) });
  const integrity = backend === 'sqlite' ? await sqliteIntegrity(target) : 'n/a';
  const { runs, bad } = await halfWritten(target);
  console.log(
    `kill -9 during saves, ${backend}: ${n} kills, ${runs} runs stored, ${bad} half-written, integrity_check ${integrity}, ${backend === 'sqlite' && integrity !== 'ok' ? 1 : 0} corrupt DBs (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
}
if (part('kills', '--skip-kills')) await killBench('sqlite', join(work, 'kills.db'), kills);
if (pgAdminClient && part('kills', '--skip-kills')) {
  const db = await pgAdminClient.create();
  await killBench('postgres', db.url, Math.min(kills, flag('--pg-kills', 60)));
  await db.drop();
}

// ---------------------------------------------------------------- 2./3. concurrent writers
async function writers(backend, target, n, runs, cases) {
  const { openStore } = await dist('store/open.js');
  await (await openStore(target)).close();
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: n }, () => runChild('writer', { RELIABILITY_DB: target, RELIABILITY_RUNS: String(runs), RELIABILITY_CASES: String(cases) })),
  );
  const parsed = results.map((r) => {
    try {
      return JSON.parse(r.out);
    } catch {
      return { ok: 0, errors: [r.err.split('\n')[0] || `exit ${r.code}`] };
    }
  });
  const ok = parsed.reduce((s, p) => s + p.ok, 0);
  const errors = parsed.flatMap((p) => p.errors);
  const { runs: stored, bad } = await halfWritten(target);
  console.log(
    `${n} writers x ${runs} runs of ${cases} cases, ${backend}: stored ${stored}/${n * runs} (saves reported ok: ${ok}), ${bad} half-written, ${errors.length} errors${errors.length ? ` (${[...new Set(errors)].slice(0, 2).join('; ')})` : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
if (part('writers', '--skip-writers')) {
  await writers('sqlite', join(work, 'writers.db'), 8, 50, 200);
  if (pgAdminClient) {
    const db = await pgAdminClient.create();
    await writers('postgres', db.url, 8, 50, 200);
    await db.drop();
  }
  await writers('sqlite', join(work, 'big-writers.db'), 8, 2, 10_000);
}
if (pgAdminClient) await pgAdminClient.end();

// ---------------------------------------------------------------- 4. huge inputs
if (part('memory', '--skip-huge')) {
  const mb = flag('--mb', 200);
  const bytes = mb * 1024 * 1024;
  async function write(file, produce) {
    const out = createWriteStream(file);
    let size = 0;
    for (const piece of produce()) {
      size += Buffer.byteLength(piece);
      if (!out.write(piece)) await new Promise((r) => out.once('drain', r));
      if (size >= bytes) break;
    }
    await new Promise((r) => out.end(r));
  }
  const files = {
    'junit-10-cases-20mb-output': join(work, 'big-output.xml'),
    'junit-many-cases': join(work, 'many-cases.xml'),
    playwright: join(work, 'playwright.json'),
    k6: join(work, 'k6.ndjson'),
  };
  // 10 cases, each with output of a tenth of the file.
  {
    const out = createWriteStream(files['junit-10-cases-20mb-output']);
    out.write('<?xml version="1.0"?>\n<testsuites><testsuite name="big" tests="10">\n');
    const line = `${'output line with some text 0123456789 '.repeat(3)}\n`;
    for (let c = 0; c < 10; c++) {
      out.write(`<testcase name="case ${c}" classname="big" time="1.5"><system-out><![CDATA[`);
      for (let written = 0; written < bytes / 10; written += line.length) if (!out.write(line)) await new Promise((r) => out.once('drain', r));
      out.write(']]></system-out></testcase>\n');
    }
    out.write('</testsuite></testsuites>\n');
    await new Promise((r) => out.end(r));
  }
  await write(files['junit-many-cases'], function* () {
    yield '<?xml version="1.0"?>\n<testsuites>\n';
    for (let s = 0; ; s++) {
      yield `<testsuite name="suite ${s}" tests="100">\n`;
      for (let c = 0; c < 100; c++) yield `<testcase name="case ${c}" classname="suite${s}" time="0.01"/>\n`;
      yield '</testsuite>\n';
    }
  });
  // Close the many-cases document properly (the generator stopped mid-stream at the size).
  {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(files['junit-many-cases'], '</testsuite>\n</testsuites>\n');
  }
  {
    const spec = (i) =>
      JSON.stringify({
        title: `test ${i}`,
        file: `t${i % 100}.spec.ts`,
        line: 1,
        column: 1,
        tests: [{ projectName: 'chromium', status: 'expected', results: [{ status: 'passed', duration: 12, retry: 0, startTime: '2025-01-01T00:00:00.000Z', stdout: [{ text: 'log line\n' }], stderr: [], attachments: [] }] }],
      });
    const out = createWriteStream(files.playwright);
    out.write('{"config":{"version":"1.50.0","rootDir":"/w"},"suites":[{"title":"all.spec.ts","file":"all.spec.ts","specs":[');
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const piece = (i ? ',' : '') + spec(i);
      size += piece.length;
      if (!out.write(piece)) await new Promise((r) => out.once('drain', r));
    }
    out.write(']}],"stats":{"startTime":"2025-01-01T00:00:00.000Z","duration":1000}}');
    await new Promise((r) => out.end(r));
  }
  await write(files.k6, function* () {
    yield '{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<500"],"submetrics":null},"metric":"http_req_duration"}\n';
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; ; i++) {
      const time = new Date(t0 + i).toISOString();
      yield `{"metric":"http_req_duration","type":"Point","data":{"time":"${time}","value":${(i % 500) + 0.5},"tags":{"method":"GET","name":"http://127.0.0.1/x","status":"200"}}}\n`;
    }
  });

  const measure = async (mode, file) => {
    const r = await runChild('parse', { RELIABILITY_MODE: mode, RELIABILITY_FILE: file });
    try {
      return JSON.parse(r.out);
    } catch {
      return { error: (r.err.split('\n').find((l) => l.trim()) ?? `exit ${r.code ?? r.signal}`).slice(0, 160) };
    }
  };
  const measureCli = async (format, file) => {
    const dir = mkdtempSync(join(work, 'cli-'));
    const out = join(dir, 'figures.json');
    const r = await runChild(
      'cli',
      { RELIABILITY_OUT: out, RELIABILITY_ARGS: JSON.stringify(['import', '--format', format, file, '--db', join(dir, 'results.db')]), SHOPFDS_HOME: join(dir, 'state') },
      { nodeArgs: [] },
    );
    try {
      const figures = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8'));
      if (figures.code !== 0) return { error: `exit ${figures.code}: ${r.err.split('\n').find((l) => l.trim()) ?? ''}`.slice(0, 160) };
      return figures;
    } catch {
      return { error: (r.err.split('\n').find((l) => l.trim()) ?? `exit ${r.code ?? r.signal}`).slice(0, 160) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const input = args.includes('--input') ? args[args.indexOf('--input') + 1] : null;
  for (const [label, mode, baseline, file, name] of [
    ['JUnit, 10 cases x 20 MB output', 'junit', 'baseline-junit', files['junit-10-cases-20mb-output'], 'junit-output'],
    ['JUnit, many small cases', 'junit', 'baseline-junit', files['junit-many-cases'], 'junit-cases'],
    ['Playwright JSON', 'playwright', 'baseline-playwright', files.playwright, 'playwright'],
    ['k6 NDJSON', 'k6', 'baseline-k6', files.k6, 'k6'],
  ]) {
    if (input && input !== name) continue;
    const size = statSync(file).size / 1024 / 1024;
    const ours = await measure(mode, file);
    const base = await measure(baseline, file);
    const line = (m) => (m.error ? `failed: ${m.error}` : `${m.maxRssMb.toFixed(0)} MB peak RSS, ${(size / m.seconds).toFixed(1)} MB/s`);
    const cli = await measureCli(mode === 'junit' ? 'junit' : mode === 'playwright' ? 'playwright-json' : 'k6-json', file);
    const ratio = (m) => (!m.error && !base.error ? `; ratio to baseline RSS ${(m.maxRssMb / base.maxRssMb).toFixed(2)}x, time ${(m.seconds / base.seconds).toFixed(2)}x` : '');
    console.log(`${label} (${size.toFixed(0)} MB${ours.cases ? `, ${ours.cases} cases` : ''}): baseline ${line(base)}`);
    console.log(`  importer alone: ${line(ours)}${ratio(ours)}`);
    console.log(`  shopfds-test import into SQLite: ${line(cli)}${ratio(cli)}; target <= 256 MB: ${!cli.error && cli.maxRssMb <= 256 ? 'met' : 'NOT met'}`);
  }
}

rmSync(work, { recursive: true, force: true });
spawnSync('true');

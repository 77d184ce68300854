import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/*
 * `import` of a large report through the built bin: the cases are staged on disk as they are read
 * and stored in batches, so memory stays bounded; when the store is down the run is spooled with
 * its cases file, and `db sync` streams it back.
 */

const SECRET = 'hunter2-streamed-secret';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdHJlYW1lZCJ9.c2lnbmF0dXJlLXN0cmVhbWVk';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('shopfds-streamed-import-');
});
afterEach(() => tmp.cleanup());

/** A JUnit file of `suites` x 100 testcases; every 50th fails with a secret and a NUL character in its output. */
async function writeJunit(file: string, suites: number): Promise<{ total: number; failed: number }> {
  const out = createWriteStream(file);
  const put = async (text: string) => {
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  };
  let total = 0;
  let failed = 0;
  await put('<?xml version="1.0"?>\n<testsuites name="streamed">\n');
  for (let s = 0; s < suites; s++) {
    await put(`<testsuite name="suite ${s}" tests="100">\n`);
    for (let c = 0; c < 100; c++) {
      total++;
      if ((s * 100 + c) % 50 === 7) {
        failed++;
        await put(
          `<testcase name="case ${c}" classname="suite${s}" time="0.01"><failure message="boom">Authorization: Bearer ${TOKEN}</failure><system-out>login password=${SECRET} \u0000 done</system-out></testcase>\n`,
        );
      } else await put(`<testcase name="case ${c}" classname="suite${s}" time="0.01"/>\n`);
    }
    await put('</testsuite>\n');
  }
  await put('</testsuites>\n');
  await new Promise((r) => out.end(r));
  return { total, failed };
}

const bin = (args: string[], timeoutMs = 240_000) => runBin(args, { cwd: tmp.dir, timeoutMs });

describe('import of a large JUnit report', () => {
  it('spools a run of ordinary size as one file, as before', async () => {
    const file = join(tmp.dir, 'small.xml');
    const { total } = await writeJunit(file, 2);
    const down = await bin(['import', '--format', 'junit', file, '--db', 'postgres://postgres@127.0.0.1:1/none']);
    expect(down.exitCode).toBe(4);
    const spool = join(tmp.dir, '.shopfds', 'spool');
    const files = readdirSync(spool);
    expect(files).toHaveLength(1);
    const run = JSON.parse(readFileSync(join(spool, files[0]!), 'utf8')) as { cases: { ordinal: number }[]; casesFile?: string };
    expect(run.casesFile).toBeUndefined();
    expect(run.cases.map((c) => c.ordinal)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(readdirSync(join(tmp.dir, '.shopfds', 'staging'))).toEqual([]);
  }, 120_000);

  it('stores every case through the staged file, redacted and normalized, and leaves no staged file behind', async () => {
    const file = join(tmp.dir, 'big.xml');
    const { total, failed } = await writeJunit(file, 300);
    const db = join(tmp.dir, 'results.db');
    const r = await bin(['import', '--format', 'junit', file, '--db', db, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [summary] = JSON.parse(r.stdout) as { id: string; totals: { total: number; failed: number } }[];
    expect(summary!.totals.total).toBe(total);
    expect(summary!.totals.failed).toBe(failed);
    const shown = await bin(['runs', 'show', summary!.id, '--json', '--db', db]);
    const run = JSON.parse(shown.stdout) as { cases: { ordinal: number; name: string; suitePath: string[]; stdout: string | null }[]; metadata: Record<string, string> };
    expect(run.cases).toHaveLength(total);
    expect(run.cases.map((c) => c.ordinal)).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(run.cases[total - 1]).toMatchObject({ name: 'case 99', suitePath: ['suite 299'] });
    expect(run.cases[7]!.stdout).toBe('login password=*** \uFFFD done');
    expect(run.metadata['text.replacedCharacters']).toBe(String(failed));
    const bytes = readFileSync(db).toString('latin1') + (existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).toString('latin1') : '');
    expect(bytes).not.toContain(SECRET);
    expect(bytes).not.toContain(TOKEN);
    expect(readdirSync(join(tmp.dir, '.shopfds', 'staging'))).toEqual([]);
  }, 300_000);

  it('spools a large run with its cases file apart when the store is down; db status lists it and db sync stores every case', async () => {
    const file = join(tmp.dir, 'big.xml');
    const { total } = await writeJunit(file, 200);
    const down = await bin(['import', '--format', 'junit', file, '--db', 'postgres://postgres@127.0.0.1:1/none']);
    expect(down.exitCode).toBe(4);
    const spool = join(tmp.dir, '.shopfds', 'spool');
    const files = readdirSync(spool).sort();
    expect(files).toHaveLength(2);
    const [runFile, casesFile] = [files.find((f) => f.endsWith('.json'))!, files.find((f) => f.endsWith('.cases.ndjson'))!];
    expect(casesFile).toBe(runFile.replace(/\.json$/, '.cases.ndjson'));
    // The run file stays small: the cases are apart.
    expect(statSync(join(spool, runFile)).size).toBeLessThan(10_000);
    expect(readFileSync(join(spool, casesFile), 'utf8')).not.toContain(SECRET);
    expect(readdirSync(join(tmp.dir, '.shopfds', 'staging'))).toEqual([]);

    const db = join(tmp.dir, 'results.db');
    const status = await bin(['db', 'status', '--db', db]);
    expect(status.stdout).toContain(`spool: 1 run(s) waiting`);
    const synced = await bin(['db', 'sync', '--db', db]);
    expect(synced.exitCode).toBe(0);
    expect(synced.stdout).toMatch(/synced 1 run\(s\)/);
    expect(readdirSync(spool).filter((f) => !f.startsWith('quarantine'))).toEqual([]);
    const id = runFile.replace(/\.json$/, '');
    const shown = JSON.parse((await bin(['runs', 'show', id, '--json', '--db', db])).stdout) as { cases: unknown[]; totals: { total: number } };
    expect(shown.totals.total).toBe(total);
    expect(shown.cases).toHaveLength(total);
  }, 300_000);

  it('db sync quarantines a spooled run whose cases file was cut short, with both files and the reason', async () => {
    const file = join(tmp.dir, 'big.xml');
    await writeJunit(file, 200);
    const down = await bin(['import', '--format', 'junit', file, '--db', 'postgres://postgres@127.0.0.1:1/none']);
    expect(down.exitCode).toBe(4);
    const spool = join(tmp.dir, '.shopfds', 'spool');
    const casesFile = readdirSync(spool).find((f) => f.endsWith('.cases.ndjson'))!;
    truncateSync(join(spool, casesFile), Math.floor(statSync(join(spool, casesFile)).size / 2));
    const db = join(tmp.dir, 'results.db');
    const synced = await bin(['db', 'sync', '--db', db]);
    expect(synced.exitCode).toBe(4);
    expect(synced.stderr).toMatch(/quarantined as .*: not a valid run/);
    const quarantine = readdirSync(join(spool, 'quarantine')).sort();
    expect(quarantine).toContain(casesFile);
    expect(quarantine.filter((f) => f.endsWith('.reason.txt'))).toHaveLength(1);
    const listed = JSON.parse((await bin(['runs', 'list', '--json', '--db', db])).stdout) as unknown[];
    expect(listed).toEqual([]);
  }, 300_000);

  it('keeps peak memory bounded: 250,000 testcases import in under 256 MB of resident memory', async () => {
    const file = join(tmp.dir, 'huge.xml');
    await writeJunit(file, 2_500);
    const figures = join(tmp.dir, 'figures.json');
    // The CLI in a process of its own, which writes its peak RSS when it exits.
    const script = `
      process.on('exit', () => require('node:fs').writeFileSync(process.env.FIGURES, JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 })));
      import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/cli/main.js')).href)}).then((m) => m.main([process.execPath, 'shopfds-test', 'import', '--format', 'junit', process.env.FILE, '--db', process.env.DB]));
    `;
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['-e', script], {
        cwd: tmp.dir,
        env: cliEnv({ FIGURES: figures, FILE: file, DB: join(tmp.dir, 'results.db') }),
        stdio: 'ignore',
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    const { maxRssMb } = JSON.parse(readFileSync(figures, 'utf8')) as { maxRssMb: number };
    expect(maxRssMb).toBeLessThan(256);
  }, 600_000);
});

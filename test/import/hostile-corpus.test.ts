import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { makeTempDir } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/pg.js';

/*
 * The malformed, hostile and odd-encoding corpus (test/fixtures/hostile, made by generate.mjs) run
 * through every command that reads such files: `import` in each of its five formats, `--config`,
 * and `scenarios validate`. Whatever the file, the CLI answers with a verdict or a one-line error
 * (exit 0 or 2), never an internal error (exit 70) or a spool (exit 4); the file's own format gives
 * exactly the expected outcome; secrets never reach SQLite, PostgreSQL or any report; control
 * characters never reach the terminal raw.
 */

const CORPUS = join(import.meta.dirname, '../fixtures/hostile');
interface Entry {
  file: string;
  format: string;
  expect: number;
  status?: string;
  replaced?: number;
  secrets?: boolean;
  controls?: boolean;
  absent?: string[];
  caseDurationMs?: number;
  metadata?: Record<string, string>;
  stderrIncludes?: string[];
}
const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as { secrets: Record<string, string>; files: Entry[] };
const SECRET_VALUES = Object.values(manifest.secrets);
const IMPORT_FORMATS = ['junit', 'playwright-json', 'newman-json', 'k6-summary', 'k6-json'];
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/;

async function cli(args: string[], cwd: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (c: string) => (stdout += c), isTTY: false, columns: 120 },
    stderr: { write: (c: string) => (stderr += c), isTTY: false },
    env: { NO_COLOR: '1', CI: 'true', SHOPFDS_EXECUTED_BY: 'corpus' },
    cwd,
  };
  const { exitCode } = await runCli(args, io, { handleSignals: false });
  return { exitCode, stdout, stderr };
}

function expectOneLineError(r: { stderr: string }, what: string): void {
  expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('shopfds-test:'));
  expect(lines.length, `${what}: ${r.stderr}`).toBeGreaterThanOrEqual(1);
}

let tmp: ReturnType<typeof makeTempDir>;
let pgDb: TestDatabase;
beforeAll(async () => {
  tmp = makeTempDir('shopfds-corpus-');
  pgDb = await createTestDatabase();
});
afterAll(async () => {
  await pgDb?.drop();
  tmp?.cleanup();
});

const importable = manifest.files.filter((e) => IMPORT_FORMATS.includes(e.format));

describe('every corpus file through every import format', () => {
  it.each(importable.map((e) => [e.file, e] as const))('%s', async (_name, entry) => {
    const file = join(CORPUS, 'files', entry.file);
    for (const format of IMPORT_FORMATS) {
      const db = join(tmp.dir, `${entry.file}.${format}.db`);
      const r = await cli(['--db', db, '--json', 'import', file, '--format', format], tmp.dir);
      const what = `${entry.file} as ${format}: exit ${r.exitCode}: ${r.stderr}`;
      expect([0, 2], what).toContain(r.exitCode);
      if (r.exitCode === 2) expectOneLineError(r, what);
      if (format !== entry.format) continue;
      expect(r.exitCode, what).toBe(entry.expect);
      if (r.exitCode !== 0) continue;
      const [summary] = JSON.parse(r.stdout) as { id: string; status: string }[];
      if (entry.status) expect(summary!.status, what).toBe(entry.status);
      const shown = await cli(['--db', db, '--json', 'runs', 'show', summary!.id], tmp.dir);
      expect(shown.exitCode, shown.stderr).toBe(0);
      const run = JSON.parse(shown.stdout) as { metadata: Record<string, string>; cases: { durationMs: number }[] };
      if (entry.replaced) expect(Number(run.metadata['text.replacedCharacters']), what).toBe(entry.replaced);
      if (entry.caseDurationMs !== undefined) expect(run.cases[0]!.durationMs).toBe(entry.caseDurationMs);
      for (const [k, v] of Object.entries(entry.metadata ?? {})) expect(run.metadata[k], what).toBe(v);
      // The SQLite bytes: the database file and its write-ahead log.
      const outputs = [shown.stdout, readFileSync(db).toString('latin1'), ...(existsSync(`${db}-wal`) ? [readFileSync(`${db}-wal`).toString('latin1')] : [])];
      for (const args of [['runs', 'show', summary!.id], ['report', summary!.id, '--format', 'junit'], ['report', summary!.id, '--format', 'markdown'], ['report', summary!.id]]) {
        const rendered = await cli(['--db', db, '--no-color', ...args], tmp.dir);
        expect(rendered.exitCode, rendered.stderr).toBe(0);
        outputs.push(rendered.stdout);
        if (args[0] === 'runs' || args.includes('markdown') || args.length === 2) {
          expect(RAW_CONTROL.test(rendered.stdout), `${args.join(' ')} prints a raw control character for ${entry.file}`).toBe(false);
        }
      }
      if (entry.secrets) for (const out of outputs) for (const secret of SECRET_VALUES) expect(out.includes(secret), `${secret} leaked for ${entry.file}`).toBe(false);
      for (const absent of entry.absent ?? []) for (const out of outputs) expect(out).not.toContain(absent);
    }
  }, 120_000);
});

describe('the corpus in PostgreSQL', () => {
  it('accepts every run SQLite accepts (NUL, lone surrogates) and stores no secret', async () => {
    const good = importable.filter((e) => e.expect === 0);
    for (const entry of good) {
      const r = await cli(['--db', pgDb.url, 'import', join(CORPUS, 'files', entry.file), '--format', entry.format], tmp.dir);
      expect(r.exitCode, `${entry.file}: ${r.stderr}`).toBe(0);
    }
    const client = new pg.Client({ connectionString: pgDb.url });
    await client.connect();
    try {
      const { rows } = await client.query('select count(*)::int as n from runs');
      expect(rows[0].n).toBe(good.length);
      const dump = await client.query(
        `select string_agg(t::text, E'\\n') as text from (select r::text as t from runs r union all select c::text from cases c union all select s::text from e2e_test_step_results s union all select tr::text from e2e_test_runs tr) x`,
      );
      const text = dump.rows[0].text as string;
      expect(text).toContain('login');
      for (const secret of SECRET_VALUES) expect(text.includes(secret), `${secret} stored in PostgreSQL`).toBe(false);
    } finally {
      await client.end();
    }
  }, 180_000);
});

describe('config and scenario files of the corpus', () => {
  // Read commands refuse a store that does not exist, so the store is created first: an exit code
  // then comes from the config file alone.
  let configDb: string;
  beforeAll(async () => {
    configDb = join(tmp.dir, 'config.db');
    const r = await cli(['--db', configDb, 'db', 'migrate'], tmp.dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(configDb)).toBe(true);
  });
  it.each(manifest.files.filter((e) => e.format === 'config').map((e) => [e.file, e] as const))('--config %s', async (_n, entry) => {
    const r = await cli(['--config', join(CORPUS, 'files', entry.file), '--db', configDb, 'runs', 'list'], tmp.dir);
    expect(r.exitCode, r.stderr).toBe(entry.expect);
    if (r.exitCode) {
      expectOneLineError(r, entry.file);
      // The refusal names the config file, not the store.
      expect(r.stderr).toContain(entry.file);
    }
  });
  it.each(manifest.files.filter((e) => e.format === 'scenario').map((e) => [e.file, e] as const))('scenarios validate %s', async (_n, entry) => {
    const r = await cli(['scenarios', 'validate', join(CORPUS, 'files', entry.file)], tmp.dir);
    expect(r.exitCode, r.stderr).toBe(entry.expect);
    for (const text of entry.stderrIncludes ?? []) expect(r.stderr).toContain(text);
  });
  it('every config and scenario file of the corpus is also refused cleanly by import', async () => {
    for (const entry of manifest.files.filter((e) => e.format === 'config' || e.format === 'scenario')) {
      for (const format of IMPORT_FORMATS) {
        const r = await cli(['--db', join(tmp.dir, 'other.db'), 'import', join(CORPUS, 'files', entry.file), '--format', format], tmp.dir);
        expect([0, 2], `${entry.file} as ${format}: ${r.stderr}`).toContain(r.exitCode);
        if (r.exitCode) expectOneLineError(r, entry.file);
      }
    }
  }, 120_000);
});

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REPLACED_CHARACTERS_KEY, computeTotals, type Case, type Run } from '../../src/model/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';
import { BACKENDS, type StoreFixture } from './backends.js';

/*
 * RunStore.saveRunWithCases: a run whose cases are read from a stream (a huge import) is saved in
 * one transaction, in batches, whole or not at all, the same on both stores.
 */

const fixtures: StoreFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
});

/** A run of `n` cases (every 7th failed) and the same run without its cases, as a streamed import gives it. */
function bigRun(n: number): { run: Run; header: Run } {
  const cases = Array.from({ length: n }, (_, i) => makeCase({ name: `case ${i}`, suitePath: [`spec-${i % 13}.ts`], status: i % 7 === 3 ? 'failed' : 'passed' }));
  const run = makeRun({ cases });
  return { run, header: { ...run, cases: [] } };
}

async function* stream(cases: readonly Case[]): AsyncGenerator<Case> {
  for (const c of cases) yield c;
}

async function rowCounts(fx: StoreFixture, id: string): Promise<{ runs: number; cases: number }> {
  const [runs] = await fx.query('select count(*) as n from runs where id = ?', [id]);
  const [cases] = await fx.query('select count(*) as n from cases where run_id = ?', [id]);
  return { runs: Number(runs!.n), cases: Number(cases!.n) };
}

describe.each(BACKENDS)('streamed saves on $name', (backend) => {
  async function fresh() {
    const fixture = await backend.create();
    fixtures.push(fixture);
    return { fixture, store: await fixture.open() };
  }

  it('stores every case of a run read from a stream (several batches, ordinals out of order) as saveRun would', async () => {
    const { store } = await fresh();
    const { run, header } = bigRun(2_345);
    // Cases come in the order an importer finds them, not by ordinal.
    const shuffled = [...run.cases.slice(1000), ...run.cases.slice(0, 1000)];
    await store.saveRunWithCases(header, () => stream(shuffled));
    const back = (await store.getRun(run.id))!;
    expect(back.totals).toEqual(run.totals);
    expect(back.cases).toHaveLength(2_345);
    expect(back.cases).toEqual(run.cases);
    const summary = (await store.listRuns()).find((r) => r.id === run.id)!;
    expect(summary.totals).toEqual(computeTotals(run.cases));
  });

  it('stores nothing when the streamed cases do not add up to the totals', async () => {
    const { fixture, store } = await fresh();
    const { run, header } = bigRun(1_500);
    await expect(store.saveRunWithCases(header, () => stream(run.cases.slice(0, 1_499)))).rejects.toThrow(/do not add up to its totals/);
    expect(await rowCounts(fixture, run.id)).toEqual({ runs: 0, cases: 0 });
    expect(await store.getRun(run.id)).toBeNull();
  });

  it('stores nothing when reading the cases fails part way (after a batch was inserted)', async () => {
    const { fixture, store } = await fresh();
    const { run, header } = bigRun(2_500);
    async function* failing(): AsyncGenerator<Case> {
      for (const c of run.cases.slice(0, 2_100)) yield c;
      throw new Error('the staged file could not be read');
    }
    await expect(store.saveRunWithCases(header, failing)).rejects.toThrow(/could not be read/);
    expect(await rowCounts(fixture, run.id)).toEqual({ runs: 0, cases: 0 });
  });

  it('replaces NUL and lone surrogates in streamed cases and counts them in the run metadata', async () => {
    const { store } = await fresh();
    const cases = [makeCase({ name: 'nul \u0000 title', stdout: 'a\u0000b\ud800', status: 'passed' }), makeCase({ name: 'clean', status: 'passed' })];
    const run = makeRun({ cases, metadata: { note: 'x\udc00y' } });
    await store.saveRunWithCases({ ...run, cases: [] }, () => stream(run.cases));
    const back = (await store.getRun(run.id))!;
    expect(back.cases[0]!.name).toBe('nul \uFFFD title');
    expect(back.cases[0]!.stdout).toBe('a\uFFFDb\uFFFD');
    expect(back.metadata.note).toBe('x\uFFFDy');
    expect(back.metadata[REPLACED_CHARACTERS_KEY]).toBe('4');
  });

  it('leaves no trace of a run whose streamed save was killed with SIGKILL after some batches were written', async () => {
    const { fixture, store } = await fresh();
    await store.migrate();
    const id = '5a1e0000-0000-4000-8000-00000000000a';
    // A child saves 3,000 cases and stops reading after 2,200 (two batches inserted), then is killed.
    const script = `
      const { openStore } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/store/open.js')).href)});
      const store = await openStore(process.env.TARGET);
      const base = JSON.parse(process.env.RUN);
      const mk = (i) => ({ ordinal: i, suitePath: ['s'], name: 'case ' + i, file: null, line: null, column: null, project: null, status: 'passed', durationMs: 1,
        attempts: [{ index: 0, status: 'passed', durationMs: 1, startedAt: null, errorMessage: null, errorStack: null }], errorMessage: null, errorStack: null,
        artifacts: [], tags: [], properties: {}, stdout: 'x'.repeat(200), stderr: null });
      async function* cases() {
        for (let i = 0; i < 3000; i++) {
          if (i === 2200) { process.stdout.write('mid'); await new Promise(() => {}); }
          yield mk(i);
        }
      }
      await store.saveRunWithCases(base, cases);
    `;
    const header = { ...makeRun({ cases: [makeCase({ status: 'passed' })] }), id, cases: [] };
    const totals = { total: 3000, passed: 3000, failed: 0, skipped: 0, flaky: 0, timedOut: 0, interrupted: 0 };
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, TARGET: fixture.target, RUN: JSON.stringify({ ...header, totals, status: 'passed' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const outcome = await new Promise<string>((resolve) => {
      child.stdout.on('data', (d) => {
        if (String(d).includes('mid')) {
          child.kill('SIGKILL');
          resolve('killed mid-save');
        }
      });
      child.on('exit', (code) => resolve(`exited ${code}: ${err}`));
    });
    expect(outcome).toBe('killed mid-save');
    await new Promise((resolve) => child.once('exit', resolve).once('close', resolve));
    // PostgreSQL ends the dead connection's transaction; wait for it to be gone before counting.
    const check = await fixture.open();
    let counts = await rowCounts(fixture, id);
    for (let i = 0; i < 50 && counts.runs + counts.cases > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      counts = await rowCounts(fixture, id);
    }
    expect(counts).toEqual({ runs: 0, cases: 0 });
    expect(await check.getRun(id)).toBeNull();
    // And the store takes new runs.
    const { run, header: next } = bigRun(10);
    await check.saveRunWithCases(next, () => stream(run.cases));
    expect((await check.getRun(run.id))!.cases).toHaveLength(10);
  }, 60_000);
});

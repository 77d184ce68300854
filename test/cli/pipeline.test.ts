import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAdapter, getAdapter, adapterNames } from '../../src/adapters/registry.js';
import type { ProcessCapture, ToolAdapter } from '../../src/adapters/types.js';
import type { CommandContext, Progress, ResolvedGlobals } from '../../src/cli/context.js';
import { reportError } from '../../src/cli/main.js';
import { runToolCommand } from '../../src/cli/run-tool.js';
import { makeCase, ShopfdsError, type CaseStatus } from '../../src/model/index.js';
import { makeTempDir } from '../helpers/cli.js';

/*
 * The run pipeline with a sixth tool that exists only in this file: a "tool" that is `node -e`,
 * spawned for real by the pipeline's default spawn (src/exec/spawn.ts), whose output is parsed into
 * cases, saved in a real SQLite store and rendered. Nothing of the pipeline is stubbed.
 */

interface EchoRequest {
  readonly results: readonly CaseStatus[];
  /** Make parse break a model rule (an attempt with the wrong index). */
  readonly breakModel?: boolean;
}

/** Prints one JSON line per case, as a test tool would. */
const SCRIPT = 'for (const s of JSON.parse(process.env.RESULTS)) console.log(JSON.stringify({ name: "case " + s, status: s }))';

const echoAdapter: ToolAdapter<EchoRequest, EchoRequest> = {
  name: 'node-echo',
  kind: 'api',
  resolve: (request) => {
    if (!Array.isArray(request.results)) throw new Error('results required');
    return request;
  },
  detect: async () => ({ name: 'node-echo', version: process.versions.node, path: process.execPath }),
  target: () => ({ mode: 'none' }),
  buildInvocation: (plan) => ({
    commandLine: `node -e <script>`,
    command: { file: process.execPath, args: ['-e', SCRIPT], env: { RESULTS: JSON.stringify(plan.results) } },
  }),
  describe: (event) => (event.type === 'note' ? event.text : null),
  parse(capture: ProcessCapture, plan) {
    const lines = capture.stdout.trim().split('\n').filter(Boolean);
    const cases = lines.map((line, ordinal) => {
      const { name, status } = JSON.parse(line) as { name: string; status: CaseStatus };
      const kase = makeCase({ ordinal, name, status });
      return plan.breakModel ? { ...kase, attempts: [{ ...kase.attempts[0]!, index: 7 }] } : kase;
    });
    return { type: 'run', outcome: { name: 'echo run', cases, details: null, interrupted: capture.cancelled, metadata: { exit: String(capture.exitCode) } } };
  },
};

function makeContext(dir: string): { ctx: CommandContext; stdout: string[]; stderr: string[]; teardown: () => Promise<void> } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const teardowns: (() => unknown)[] = [];
  const progress: Progress = { update: () => {}, line: (t) => void stderr.push(t), stop: () => {} };
  const globals: ResolvedGlobals = {
    db: join(dir, 'results.db'),
    json: true,
    color: false,
    debug: false,
    ci: null,
    interactive: false,
    config: {},
    configFile: null,
    stateDir: join(dir, '.shopfds'),
    artifactsDir: join(dir, '.shopfds', 'artifacts'),
    executedBy: 'tester',
    defaultEnvironment: 'local',
  };
  const ctx: CommandContext = {
    io: { stdout: { write: (s: string) => void stdout.push(s) }, stderr: { write: (s: string) => void stderr.push(s) }, env: process.env, cwd: dir },
    globals,
    progress,
    signal: new AbortController().signal,
    interruptedBy: () => null,
    onTeardown: (fn) => void teardowns.push(fn),
    out: (t) => void stdout.push(`${t}\n`),
    err: (t) => void stderr.push(`${t}\n`),
  };
  return {
    ctx,
    stdout,
    stderr,
    teardown: async () => {
      for (const fn of teardowns.reverse()) await fn();
    },
  };
}

describe('the run pipeline with a sixth tool registered by a test (real spawn, real SQLite store)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('shopfds-pipeline-');
    registerAdapter('node-echo', () => echoAdapter);
  });
  afterEach(() => tmp.cleanup());

  it('registers next to the built-in tools', async () => {
    expect(adapterNames()).toEqual(expect.arrayContaining(['playwright', 'newman', 'k6', 'node-echo']));
    expect((await getAdapter('node-echo')).kind).toBe('api');
    await expect(getAdapter('no-such-tool')).rejects.toThrow(/no tool adapter is registered as "no-such-tool"/);
  });

  it('runs it end to end: spawn, parse, makeRun, validate, save, render, exit code', async () => {
    const { ctx, stdout, teardown } = makeContext(tmp.dir);
    let exitCode: number;
    try {
      exitCode = await runToolCommand(ctx, 'node-echo', { results: ['passed', 'failed', 'skipped'] }, { name: 'sixth tool', runGroup: 'g-1' });
    } finally {
      await teardown();
    }
    expect(exitCode).toBe(1);
    const run = JSON.parse(stdout.join(''));
    expect(run).toMatchObject({
      kind: 'api',
      name: 'echo run',
      status: 'failed',
      runGroup: 'g-1',
      tool: { name: 'node-echo', version: process.versions.node, commandLine: 'node -e <script>' },
      totals: { total: 3, passed: 1, failed: 1, skipped: 1 },
      metadata: { exit: '0' },
      e2e: null,
      perf: null,
    });
    expect(run.cases.map((c: { name: string }) => c.name)).toEqual(['case passed', 'case failed', 'case skipped']);
    // Saved in the store: the same run comes back.
    const { openStore } = await import('../../src/store/open.js');
    const store = await openStore(ctx.globals.db);
    try {
      const stored = await store.getRun(run.id);
      expect(stored?.totals).toEqual(run.totals);
    } finally {
      await store.close();
    }
  });

  it('a run that fails model validation is spooled with the reason, never lost (E_RUN_INVALID, exit 3)', async () => {
    const { ctx, teardown } = makeContext(tmp.dir);
    let error: unknown;
    try {
      await runToolCommand(ctx, 'node-echo', { results: ['passed'], breakModel: true }, {});
    } catch (e) {
      error = e;
    } finally {
      await teardown();
    }
    expect(error).toBeInstanceOf(ShopfdsError);
    const known = error as ShopfdsError;
    expect(known.code).toBe('E_RUN_INVALID');
    expect(known.exitCode).toBe(3);
    const dir = join(ctx.globals.stateDir, 'spool', 'invalid');
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(known.message).toContain(join(dir, files[0]!));
    const kept = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    expect(kept.reason).toContain('cases.0.attempts.0.index: must be 0');
    expect(kept.run).toMatchObject({ kind: 'api', name: 'echo run', cases: [{ name: 'case passed' }] });
    // Not in the regular spool, so `db sync` does not retry it forever; nothing half-written in the store.
    expect(readdirSync(join(ctx.globals.stateDir, 'spool')).filter((f) => f.endsWith('.json'))).toEqual([]);
    expect(existsSync(ctx.globals.db)).toBe(false);

    // With --json the error object carries the stable code.
    const out: string[] = [];
    const err: string[] = [];
    const exit = await reportError({ stdout: { write: (s: string) => void out.push(s) }, stderr: { write: (s: string) => void err.push(s) }, env: {}, cwd: tmp.dir }, error, false, true);
    expect(exit).toBe(3);
    expect(JSON.parse(out.join(''))).toMatchObject({ error: { code: 'E_RUN_INVALID', exitCode: 3 } });
    expect(err.join('')).toMatch(/^shopfds-test: error E_RUN_INVALID: the api run failed validation/);
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSystemChromium } from '../../src/adapters/playwright/browsers.js';
import type { Run } from '../../src/model/index.js';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/*
 * Shards of one CI build, run as separate `e2e --shard i/n` commands (as on separate CI machines),
 * are stored as one logical run that `report --group` renders whole. Real Chromium, demo shop.
 */

const SCENARIOS = join(REPO_ROOT, 'scenarios');
let tmp: ReturnType<typeof makeTempDir>;

beforeAll(() => {
  if (!findSystemChromium(process.env)) throw new Error('No Chromium found: install one (apt-get install -y chromium) or set SHOPFDS_CHROMIUM_PATH');
  tmp = makeTempDir('shopfds-shards-');
});
afterAll(() => tmp?.cleanup());

describe('e2e shards', () => {
  it('stores two shards under one run group and reports them as one run', async () => {
    const db = join(tmp.dir, 'results.db');
    // The CI build id is the default run group.
    const env = cliEnv({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: 'build-4242', GITHUB_SHA: 'abc123' });
    const shards: Run[] = [];
    for (const shard of ['1/2', '2/2']) {
      const result = await runBin(['--db', db, '--json', 'e2e', SCENARIOS, '--shard', shard], { cwd: tmp.dir, env, timeoutMs: 200_000 });
      expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
      shards.push(JSON.parse(result.stdout) as Run);
    }
    expect(shards.map((r) => r.shard)).toEqual([
      { current: 1, total: 2 },
      { current: 2, total: 2 },
    ]);
    expect(shards.map((r) => r.runGroup)).toEqual(['build-4242', 'build-4242']);
    // Each shard ran a part of the scenarios; together they are the whole set, each once.
    const names = shards.flatMap((r) => r.cases.map((c) => c.name));
    expect(new Set(names).size).toBe(names.length);
    expect(shards.every((r) => r.totals.total > 0)).toBe(true);

    const listed = await runBin(['--db', db, '--json', 'runs', 'list', '--group', 'build-4242'], { cwd: tmp.dir, env });
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(2);

    const report = await runBin(['--db', db, 'report', '--group', 'build-4242', '--format', 'json'], { cwd: tmp.dir, env });
    expect(report.exitCode, report.stderr).toBe(0);
    const merged = JSON.parse(report.stdout) as Run;
    expect(merged.totals).toEqual({ total: 7, passed: 6, failed: 0, skipped: 1, flaky: 0, timedOut: 0, interrupted: 0 });
    expect(merged.cases.map((c) => c.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(merged.cases.map((c) => c.name).sort()).toEqual([...names].sort());
    expect(merged.e2e!.test_runs.length).toBe(shards.reduce((n, r) => n + r.e2e!.test_runs.length, 0));
    expect(merged.metadata.shards).toBe('2');

    const junit = await runBin(['--db', db, 'report', '--group', 'build-4242', '--format', 'junit'], { cwd: tmp.dir, env });
    expect(junit.exitCode, junit.stderr).toBe(0);
    expect(junit.stdout.match(/<testcase /g)?.length).toBe(7);
  }, 420_000);
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, makeTempDir, runBin } from '../helpers/cli.js';

/* The one duration grammar on the command line (the built bin). */

/** Several runs of the bin per test: generous on a busy machine. */
const SLOW = 180_000;
const EXPERIMENTS = join(REPO_ROOT, 'test/chaos/fixtures/experiments');
let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir('shopfds-durations-');
});
afterAll(() => tmp.cleanup());

const dryRun = (...args: string[]) => runBin(['chaos', 'run', 'fds-pod-delete', '--dir', EXPERIMENTS, '--dry-run', ...args], { cwd: tmp.dir });

describe('durations on the command line', () => {
  it('chaos run --recovery-target takes 1m, 90s and bare seconds, like --timeout', async () => {
    for (const [given, seconds] of [
      ['1m', 60],
      ['90s', 90],
      ['45', 45],
    ] as const) {
      const r = await dryRun('--recovery-target', given, '--timeout', '1m');
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(`recovery: steady state again within ${seconds}s`);
    }
  }, SLOW);

  it('chaos run --recovery-target refuses what is not a whole number of seconds, with exit 2 and one line', async () => {
    for (const given of ['soon', '1.5s', '0']) {
      const r = await dryRun('--recovery-target', given);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^shopfds-test: error E_USAGE: --recovery-target must be/);
    }
  }, SLOW);

  it('runs list --since takes 90s and 1h30m', async () => {
    // A read command needs an existing store (it never creates one).
    expect((await runBin(['--db', join(tmp.dir, 'r.db'), 'db', 'migrate'], { cwd: tmp.dir })).exitCode).toBe(0);
    for (const since of ['90s', '1h30m', '7d']) {
      const r = await runBin(['--db', join(tmp.dir, 'r.db'), 'runs', 'list', '--since', since], { cwd: tmp.dir });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toBe('no runs match\n');
    }
  }, SLOW);
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { copyPlaywrightProject, requireChromium, runPlaywrightDirectly } from './playwright-project.js';

/*
 * An empty shard (`--shard 2/2` of a suite that fits in one) is not a pass, and it says why instead
 * of a bare ERROR: from a live `e2e` run of one scenario and from the project's own Playwright report.
 */

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  requireChromium();
  tmp = makeTempDir('shopfds-empty-shard-');
});
afterAll(() => tmp?.cleanup());

describe('an empty shard (item 8)', () => {
  it('e2e --shard 2/2 of one scenario exits 3 with a clear message', async () => {
    const scenario = join(REPO_ROOT, 'test', 'fixtures', 'scenario-project', 'scenarios', 'catalog-badge.yaml');
    const r = await runBin(['--db', join(tmp.dir, 'live.db'), 'e2e', scenario, '--shard', '2/2'], { cwd: tmp.dir, env: cliEnv(), timeoutMs: 170_000 });
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(3);
    expect(r.stdout).toContain('shard 2/2 has no tests: Playwright put every selected test in other shards');
  }, 200_000);

  it('an imported report of an empty shard says so and is not a pass', async () => {
    const project = copyPlaywrightProject(tmp.dir);
    const report = join(tmp.dir, 'empty.json');
    expect(await runPlaywrightDirectly(project, ['--project=chromium', '--shard=2/2', 'checkout'], report)).toBe(0);
    const db = join(tmp.dir, 'import.db');
    const imported = await runBin(['--db', db, '--json', 'import', report, '--format', 'playwright-json'], { cwd: tmp.dir, env: cliEnv() });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const [summary] = JSON.parse(imported.stdout) as { id: string }[];
    const run = JSON.parse((await runBin(['--db', db, '--json', 'runs', 'show', summary!.id], { cwd: tmp.dir, env: cliEnv() })).stdout) as Run;
    expect(run.status).toBe('error');
    expect(run.errorMessage).toContain('shard 2/2 has no tests');
  }, 200_000);
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/*
 * Secrets given on the command line never reach the store, the terminal or a report
 * (k6 stand-in replaying recorded output).
 */

const temp = makeTempDir('shopfds-perf-secrets-');
afterAll(() => temp.cleanup());

describe('perf keeps command-line secrets out of everything it writes (k6 stand-in replaying recorded output)', () => {
  it('masks a secret -e value and URL credentials in the stored run, stdout, stderr and JUnit', async () => {
    const db = join(temp.dir, 'results.db');
    const junit = join(temp.dir, 'perf.xml');
    const env = cliEnv({ SHOPFDS_K6_PATH: join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in', 'k6'), K6_STANDIN_SCENARIO: 'pass' });
    const result = await runBin(
      ['--db', db, 'perf', 'load', '--base-url', 'http://loadtester:hunter2-pw@127.0.0.1:9', '-e', 'API_TOKEN=t0k3n-value', '-e', 'VUS=2', '--junit', junit, '--debug'],
      { cwd: REPO_ROOT, env: { ...env, SHOPFDS_HOME: join(temp.dir, 'home') } },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const stored = await runBin(['--db', db, '--json', 'report', '--latest'], { cwd: temp.dir, env });
    expect(stored.exitCode, stored.stderr).toBe(0);
    const run = JSON.parse(stored.stdout);
    expect(run.tool.commandLine).toContain('API_TOKEN=***');
    expect(run.tool.commandLine).toContain('VUS=2');
    expect(run.tool.commandLine).toContain('BASE_URL=http://loadtester:***@127.0.0.1:9');
    const everything = [result.stdout, result.stderr, stored.stdout, ...[db, `${db}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1')), readFileSync(junit, 'utf8')].join('\n');
    for (const secret of ['hunter2-pw', 't0k3n-value']) expect(everything).not.toContain(secret);
  });
});

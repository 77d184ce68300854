import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeOptions, SHARED_RUN_OPTIONS, type OptionSpec } from '../../src/cli/run-options.js';
import { cliEnv, makeTempDir, REPO_ROOT, runBin } from '../helpers/cli.js';

/*
 * The options every run command shares come from one table, so each works on every run command
 * (before, `perf --name` and `api --run-group` were unknown options). Runs use the k6 stand-in
 * replaying recorded output (k6 is not installed here) and real Newman.
 */

const STAND_IN_DIR = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in');
const SHARED_FLAGS = ['--env', '--base-url', '--name', '--run-group', '--junit', '--markdown', '--html'];

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => void (tmp = makeTempDir('shopfds-shared-')));
afterEach(() => tmp.cleanup());

describe('shared run options', () => {
  it.each(['e2e', 'api', 'perf'])('%s --help lists every shared run option', async (command) => {
    const r = await runBin([command, '--help'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(0);
    for (const flag of SHARED_FLAGS) expect(r.stdout, `${command} ${flag}`).toContain(`${flag} `);
  });

  it('perf --name x names the run and --run-group groups it (k6 stand-in replaying recorded output)', async () => {
    const env = cliEnv({ PATH: `${STAND_IN_DIR}:${process.env.PATH}`, K6_STANDIN_SCENARIO: 'pass', K6_STANDIN_ARGV_FILE: join(tmp.dir, 'argv.json') });
    const r = await runBin(['perf', 'load', '--name', 'x', '--run-group', 'grp-perf', '--base-url', 'http://127.0.0.1:9', '--json', '--db', join(tmp.dir, 'r.db')], { cwd: tmp.dir, env, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'perf', name: 'x', runGroup: 'grp-perf' });
  }, 150_000);

  it('api --run-group g groups the run and --name names it (real Newman)', async () => {
    const collection = join(REPO_ROOT, 'collections', 'shopfds-api.postman_collection.json');
    const r = await runBin(['api', collection, '--folder', 'Catalog', '--run-group', 'g', '--name', 'api named', '--base-url', 'http://127.0.0.1:9', '--json', '--db', join(tmp.dir, 'r.db')], {
      cwd: tmp.dir,
      timeoutMs: 120_000,
    });
    expect(r.exitCode, r.stderr).toBe(1); // nothing listens on port 9: connection refused
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'api', name: 'api named', runGroup: 'g' });
  }, 150_000);
});

describe('normalizeOptions: flag > environment > config file > default', () => {
  const table: readonly OptionSpec[] = [
    ...SHARED_RUN_OPTIONS,
    { key: 'interval', flags: '--interval <d>', config: 'perf.intervalSec', fromConfig: (s) => `${Number(s) * 1000}ms`, defaultValue: '1s' },
    { key: 'k6Path', env: 'SOME_K6', config: 'perf.k6Path' },
  ];
  const config = { environment: 'staging', perf: { intervalSec: 2, k6Path: '/from/config' } };

  it('takes the flag first', () => {
    expect(normalizeOptions([table], { env: 'production', interval: '5s' }, { env: { SHOPFDS_ENV: 'local' }, config })).toMatchObject({ env: 'production', interval: '5s' });
  });
  it('then the environment', () => {
    expect(normalizeOptions([table], {}, { env: { SHOPFDS_ENV: 'local', SOME_K6: '/from/env' }, config })).toMatchObject({ env: 'local', k6Path: '/from/env' });
  });
  it('then the config file (in the flag form), then the default', () => {
    expect(normalizeOptions([table], {}, { env: {}, config })).toMatchObject({ env: 'staging', interval: '2000ms', k6Path: '/from/config' });
    expect(normalizeOptions([table], {}, { env: {}, config: {} })).toEqual({ interval: '1s' });
  });
});

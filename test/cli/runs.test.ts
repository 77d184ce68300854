import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/model/index.js';
import { caseKey } from '../../src/store/kysely-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RunSummary } from '../../src/store/types.js';
import { cliEnv, makeTempDir, runBin } from '../helpers/cli.js';
import { makeCase, makeRun } from '../helpers/fixtures.js';
import { SHARED_DIR as __SHARED } from '../helpers/paths.js';
const REFERENCE = `${__SHARED}/reference`;

const JUNIT_FAILED = `${REFERENCE}/junit/playwright-junit-jpetstore-failure-FAILURE-type.xml`;
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

describe('runs list / show / failures / history (the built bin)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: string;
  let runs: Run[];
  const bin = (args: string[]) => runBin(['--db', db, ...args], { cwd: tmp.dir });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await bin(['--json', ...args]);
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    tmp = makeTempDir();
    db = join(tmp.dir, 'results.db');
    runs = [
      makeRun({ kind: 'e2e', name: 'nightly e2e', startedAt: ago(24 * 20), cases: [makeCase({ status: 'failed', name: 'pay' })] }),
      makeRun({ kind: 'e2e', name: 'pr e2e', startedAt: ago(24 * 3), runGroup: 'build-41', cases: [makeCase({ status: 'failed', name: 'pay' }), makeCase({ name: 'login' })] }),
      makeRun({ kind: 'api', name: 'staging api', startedAt: ago(30), environment: 'staging', cases: [makeCase({ name: 'GET /orders' })] }),
      makeRun({ kind: 'e2e', name: 'main e2e', startedAt: ago(5), runGroup: 'build-42', cases: [makeCase({ status: 'timed_out', name: 'pay' }), makeCase({ name: 'login' })] }),
      makeRun({ kind: 'perf', name: 'load', startedAt: ago(1), environment: 'production', cases: [] }),
    ];
    const store = await openSqliteStore(db);
    for (const run of runs) await store.saveRun(run);
    await store.close();
  });
  afterAll(() => tmp.cleanup());

  it('lists runs newest first as a table', async () => {
    const r = await bin(['runs', 'list']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+STATUS\s+ENV\s+STARTED/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).at(-1))).toEqual(['load', 'main e2e', 'staging api', 'pr e2e', 'nightly e2e']);
    expect(lines[1]).toContain(runs[4]!.id.slice(0, 8));
  });

  it('filters with --kind --status --env --since --group --limit, also as --json', async () => {
    const names = async (...args: string[]) => (await json<RunSummary[]>(['runs', 'list', ...args])).map((r) => r.name);
    expect(await names()).toEqual(['load', 'main e2e', 'staging api', 'pr e2e', 'nightly e2e']);
    expect(await names('--kind', 'e2e')).toEqual(['main e2e', 'pr e2e', 'nightly e2e']);
    expect(await names('--status', 'error')).toEqual(['load']);
    expect(await names('--status', 'failed', '--kind', 'e2e', '--since', '7d')).toEqual(['main e2e', 'pr e2e']);
    expect(await names('--env', 'staging')).toEqual(['staging api']);
    expect(await names('--since', '48h')).toEqual(['load', 'main e2e', 'staging api']);
    expect(await names('--since', ago(6))).toEqual(['load', 'main e2e']);
    expect(await names('--group', 'build-41')).toEqual(['pr e2e']);
    expect(await names('--limit', '2')).toEqual(['load', 'main e2e']);
    const [latest] = await json<RunSummary[]>(['runs', 'list', '--limit', '1']);
    expect(latest).toMatchObject({ id: runs[4]!.id, kind: 'perf', status: 'error', environment: 'production', totals: { total: 0 } });
    const none = await bin(['runs', 'list', '--kind', 'canary']);
    expect(none).toMatchObject({ exitCode: 0, stdout: 'no runs match\n' });
  }, 180_000);

  it('--since takes the one duration grammar: 90s, 1h30m, 5h30m, 1d', async () => {
    const names = async (since: string) => (await json<RunSummary[]>(['runs', 'list', '--since', since])).map((r) => r.name);
    expect(await names('90s')).toEqual([]);
    expect(await names('1h30m')).toEqual(['load']);
    expect(await names('5h30m')).toEqual(['load', 'main e2e']);
    expect(await names('1d')).toEqual(['load', 'main e2e']);
    expect(await names('2d')).toEqual(['load', 'main e2e', 'staging api']);
  }, 180_000);

  it('refuses a bad --since with exit 2', async () => {
    const r = await bin(['runs', 'list', '--since', 'last tuesday']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^shopfds-test: error E_USAGE: --since must be an ISO date or a duration/);
  });

  it('shows a run by a unique id prefix, and exits 2 for an unknown one', async () => {
    const shown = await bin(['runs', 'show', runs[3]!.id.slice(0, 8)]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain('main e2e');
    const asJson = await json<Run>(['runs', 'show', runs[3]!.id]);
    expect(asJson).toEqual(runs[3]);
    const unknown = await bin(['runs', 'show', 'deadbeef']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^shopfds-test: error E_USAGE: no run with id "deadbeef" in /);
  });

  it('groups recent failures by case (runs failures)', async () => {
    const pay = caseKey('e2e', runs[0]!.cases[0]!);
    const groups = await json<{ caseKey: string; name: string; failures: number }[]>(['runs', 'failures']);
    expect(groups).toEqual([expect.objectContaining({ caseKey: pay, name: 'pay', failures: 2 })]);
    const month = await json<{ failures: number }[]>(['runs', 'failures', '--since', '30d']);
    expect(month[0]!.failures).toBe(3);
    const table = await bin(['runs', 'failures']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^FAILURES\s+LAST FAILED\s+CASE KEY\s+CASE\n/);
    // Numbers are right-aligned under their header.
    expect(table.stdout).toMatch(/\n {7}2  \d{4}-/);
    expect(table.stdout).toContain(pay.slice(0, 12));
    expect(table.stdout).toContain('checkout.spec.ts › Checkout › pay [chromium]');
    const none = await bin(['runs', 'failures', '--since', '30m']);
    expect(none.stdout).toMatch(/^no failures since /);
  });

  it("shows one case's history (runs history), by full key or a prefix", async () => {
    const pay = caseKey('e2e', runs[0]!.cases[0]!);
    const history = await json<{ runId: string; status: string }[]>(['runs', 'history', pay]);
    expect(history.map((h) => [h.runId, h.status])).toEqual([
      [runs[3]!.id, 'timed_out'],
      [runs[1]!.id, 'failed'],
      [runs[0]!.id, 'failed'],
    ]);
    const byPrefix = await json<unknown[]>(['runs', 'history', pay.slice(0, 12), '--limit', '1']);
    expect(byPrefix).toEqual([history[0]]);
    const table = await bin(['runs', 'history', pay]);
    expect(table.stdout).toMatch(new RegExp(`^checkout\\.spec\\.ts › Checkout › pay \\[chromium\\]  \\(key ${pay}\\)\\nRUN\\s+STARTED\\s+STATUS\\s+ATTEMPTS\\s+DURATION\\s+ERROR\\n`));
    expect(table.stdout).toContain('expected 200, got 500');
    const bad = await bin(['runs', 'history', 'not-a-key']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('no case matches "not-a-key"');
  });

  it('finds a case that never failed by name pattern (runs history) and shows keys in runs show', async () => {
    const login = caseKey('e2e', runs[1]!.cases[1]!);
    const history = await json<{ runId: string; status: string }[]>(['runs', 'history', 'Checkout › log*']);
    expect(history.map((h) => [h.runId, h.status])).toEqual([
      [runs[3]!.id, 'passed'],
      [runs[1]!.id, 'passed'],
    ]);
    const shown = await bin(['runs', 'show', runs[3]!.id]);
    // The case table carries a KEY column, and each row shows its case's short key.
    expect(shown.stdout).toMatch(/^\s*STATUS\s+TRIES\s+TIME\s+KEY\s+PROJECT\s+TEST$/m);
    expect(shown.stdout).toMatch(new RegExp(`^\\s*passed\\s+1\\s+\\S+\\s+${login.slice(0, 12)}\\s+chromium\\s+checkout\\.spec\\.ts › Checkout › login$`, 'm'));
  });

  it('lists runs with flaky cases (runs list --status flaky)', async () => {
    const flakyRun = makeRun({ kind: 'api', name: 'flaky api', startedAt: ago(2), cases: [makeCase({ status: 'flaky', name: 'GET /cart' })] });
    const store = await openSqliteStore(db);
    await store.saveRun(flakyRun);
    await store.close();
    const listed = await json<RunSummary[]>(['runs', 'list', '--status', 'flaky']);
    expect(listed.map((r) => r.id)).toEqual([flakyRun.id]);
  });
});

describe('CI detection (the built bin)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => void (tmp = makeTempDir()));
  afterAll(() => tmp.cleanup());

  const providers = [
    {
      provider: 'github-actions',
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_RUN_ID: '9876543210',
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        GITHUB_REF_NAME: 'main',
        GITHUB_REPOSITORY: 'shopfds/shopfds',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_ACTOR: 'octocat',
      },
      ci: {
        buildId: '9876543210',
        commitSha: '0123456789abcdef0123456789abcdef01234567',
        branch: 'main',
        jobUrl: 'https://github.com/shopfds/shopfds/actions/runs/9876543210',
      },
      executedBy: 'octocat',
    },
    {
      provider: 'gitlab-ci',
      env: { GITLAB_CI: 'true', CI_PIPELINE_ID: '555', CI_COMMIT_SHA: 'abc123', CI_COMMIT_REF_NAME: 'feature/x', CI_JOB_URL: 'https://gitlab.com/g/p/-/jobs/1', GITLAB_USER_LOGIN: 'gl-user' },
      ci: { buildId: '555', commitSha: 'abc123', branch: 'feature/x', jobUrl: 'https://gitlab.com/g/p/-/jobs/1' },
      executedBy: 'gl-user',
    },
    {
      provider: 'jenkins',
      env: { JENKINS_URL: 'https://ci.example.com/', BUILD_ID: '17', BUILD_TAG: 'jenkins-shopfds-17', GIT_COMMIT: 'def456', GIT_BRANCH: 'origin/main', BUILD_URL: 'https://ci.example.com/job/shopfds/17/' },
      ci: { buildId: 'jenkins-shopfds-17', commitSha: 'def456', branch: 'origin/main', jobUrl: 'https://ci.example.com/job/shopfds/17/' },
      executedBy: 'ci-bot',
    },
  ] as const;

  it.each(providers)('stores $provider build id, commit, branch and job URL with the run', async ({ provider, env, ci, executedBy }) => {
    const db = join(tmp.dir, `${provider}.db`);
    const imported = await runBin(['--db', db, '--json', 'import', JUNIT_FAILED, '--format', 'junit'], { cwd: tmp.dir, env: cliEnv(env) });
    expect(imported.exitCode, imported.stderr).toBe(0);
    // CI output: no spinner or colour codes on stderr.
    expect(imported.stderr).not.toMatch(/\u001b\[/);
    const [{ id }] = JSON.parse(imported.stdout) as { id: string }[];
    const shown = await runBin(['--db', db, '--json', 'runs', 'show', id], { cwd: tmp.dir });
    const run = JSON.parse(shown.stdout) as Run;
    expect(run.ci).toEqual({ provider, ...ci });
    expect(run.runGroup).toBe(ci.buildId);
    expect(run.executedBy).toBe(executedBy);
    const [summary] = JSON.parse((await runBin(['--db', db, '--json', 'runs', 'list'], { cwd: tmp.dir })).stdout) as RunSummary[];
    expect(summary).toMatchObject({ id, ciBuildId: ci.buildId, commitSha: ci.commitSha, runGroup: ci.buildId });
  });

  it('records no CI metadata outside CI', async () => {
    const db = join(tmp.dir, 'local.db');
    const env = cliEnv({ SHOPFDS_EXECUTED_BY: 'dev' });
    delete env.CI;
    const imported = await runBin(['--db', db, '--json', 'import', JUNIT_FAILED, '--format', 'junit'], { cwd: tmp.dir, env });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const [{ id }] = JSON.parse(imported.stdout) as { id: string }[];
    const run = JSON.parse((await runBin(['--db', db, '--json', 'runs', 'show', id], { cwd: tmp.dir })).stdout) as Run;
    expect(run.ci).toBeNull();
    expect(run.runGroup).toBeNull();
    expect(run.executedBy).toBe('dev');
  });
});

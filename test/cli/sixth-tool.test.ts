import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAdapter } from '../../src/adapters/registry.js';
import { runCli } from '../../src/cli/main.js';
import { registerRunCommand } from '../../src/cli/run-commands.js';
import { adapter, command } from '../fixtures/sixth-tool/index.js';
import { cliEnv, makeTempDir } from '../helpers/cli.js';

/*
 * A sixth tool added the way the registry mechanism says, with no other edit: its adapter
 * (test/fixtures/sixth-tool/), one registry call and one run-command entry (option table, positionals,
 * tool name). It then runs end to end through the CLI: commander parses its command, the options
 * normalize (flag > environment), the pipeline spawns the tool for real, parses its JSON report,
 * stores the run in SQLite, renders it, and `report` reads it back from the store.
 */

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = cliEnv()): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) }, env, cwd };
  const { exitCode } = await runCli(args, io, { handleSignals: false });
  return { exitCode, stdout, stderr };
}

describe('a sixth tool: its folder, one registry line, one command entry', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: string;
  beforeAll(() => {
    tmp = makeTempDir('shopfds-sixth-');
    db = join(tmp.dir, 'results.db');
    registerAdapter('json-checks', () => adapter);
    registerRunCommand(command);
  });
  afterAll(() => tmp.cleanup());

  it('is listed in the top-level help and has its own help with the shared run options', async () => {
    const top = await cli(['--help'], tmp.dir);
    expect(top.exitCode).toBe(0);
    expect(top.stdout).toMatch(/^ {2}checks <names\.\.\.> +run json-checks \(a test-only tool\)$/m);
    const own = await cli(['checks', '--help'], tmp.dir);
    expect(own.exitCode).toBe(0);
    for (const flag of ['--label <text>', '--env <environment>', '--name <name>', '--run-group <key>', '--junit <file>']) expect(own.stdout).toContain(flag);
    expect(own.stdout).toContain('$ shopfds-test checks health login');
  });

  it('runs through the pipeline: spawned, parsed, stored, rendered, exit 1 for a failed check', async () => {
    const junit = join(tmp.dir, 'checks.xml');
    const r = await cli(['--db', db, '--json', 'checks', 'health', 'fail-login', 'cart', '--run-group', 'g-6', '--junit', junit], tmp.dir, cliEnv({ JSON_CHECKS_LABEL: 'smoke' }));
    expect(r.exitCode, r.stderr).toBe(1);
    const run = JSON.parse(r.stdout);
    expect(run).toMatchObject({
      kind: 'api',
      name: 'smoke',
      status: 'failed',
      runGroup: 'g-6',
      tool: { name: 'json-checks', version: '1.2.3' },
      totals: { total: 3, passed: 2, failed: 1 },
      metadata: { exit_code: '1' },
    });
    expect(run.tool.commandLine).toContain('write-results.mjs health fail-login cart');
    expect(run.cases.map((c: { name: string; status: string }) => `${c.name} ${c.status}`)).toEqual(['health passed', 'fail-login failed', 'cart passed']);
    expect(existsSync(junit)).toBe(true);
    expect(readFileSync(junit, 'utf8')).toMatch(/<testcase [^>]*name="fail-login"[\s\S]*expected 200, got 500/);

    // Stored: `report` renders it back from the store.
    const stored = await cli(['--db', db, 'report', run.id, '--format', 'json'], tmp.dir);
    expect(stored.exitCode, stored.stderr).toBe(0);
    expect(JSON.parse(stored.stdout)).toMatchObject({ id: run.id, name: 'smoke', totals: { total: 3, failed: 1 } });
  });

  it('a passing run exits 0 and --name names it; its usage errors are one line with E_USAGE', async () => {
    const ok = await cli(['--db', db, '--json', 'checks', 'health', '--name', 'named'], tmp.dir);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'named', status: 'passed', totals: { total: 1, passed: 1 } });
    const bad = await cli(['--db', db, 'checks', 'health', '--env', 'moon'], tmp.dir);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^shopfds-test: error E_USAGE: option '--env <environment>' argument 'moon' is invalid/);
  });
});

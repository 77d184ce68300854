import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/cli/program.js';
import { cliEnv, makeTempDir, runBin } from '../helpers/cli.js';

/** Subcommand names listed under "Commands:" in a help text (without `help`). */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:\n/m)[1];
  if (!section) return [];
  const names: string[] = [];
  for (const line of section.split('\n')) {
    if (!line.trim() || /^\S/.test(line)) {
      if (names.length && /^\S/.test(line)) break;
      continue;
    }
    const m = /^ {2}(\S+)/.exec(line);
    // Wrapped description lines are indented further than command names.
    if (m && !/^ {3}/.test(line) && m[1] !== 'help') names.push(m[1]!);
  }
  return names;
}

describe('shopfds-test basics (the built bin)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => void (tmp = makeTempDir()));
  afterAll(() => tmp.cleanup());
  const bin = (args: string[]) => runBin(args, { cwd: tmp.dir });

  it('--version prints the version and exits 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await bin([flag]);
      expect(r).toMatchObject({ exitCode: 0, stderr: '' });
      expect(r.stdout.trim()).toBe(VERSION);
    }
  });

  it('--help lists the commands and global options and exits 0', async () => {
    const r = await bin(['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    for (const option of ['--db', '--json', '--no-color', '--debug', '--version']) expect(r.stdout).toContain(option);
    expect(commandsIn(r.stdout)).toEqual(expect.arrayContaining(['import', 'runs', 'report', 'db', 'e2e', 'api', 'perf', 'chaos', 'canary']));
    expect(r.stdout).toContain('Examples:');
  });

  it('every command and subcommand has examples in its --help', async () => {
    const root = await bin(['--help']);
    let level = commandsIn(root.stdout).map((name) => [name]);
    const missing: string[] = [];
    let seen = 0;
    // Breadth first, one level at a time in parallel.
    while (level.length) {
      const next: string[][] = [];
      const results = await Promise.all(level.map((path) => bin([...path, '--help'])));
      results.forEach((r, i) => {
        const path = level[i]!;
        expect(r.exitCode, `${path.join(' ')} --help`).toBe(0);
        seen++;
        if (!r.stdout.includes('\nExamples:\n  $ shopfds-test ')) missing.push(path.join(' '));
        for (const sub of commandsIn(r.stdout)) next.push([...path, sub]);
      });
      level = next;
    }
    expect(seen).toBeGreaterThan(15);
    expect(missing, 'commands whose --help has no "Examples:"').toEqual([]);
  }, 300_000);

  it('an unknown command exits 2 with one line and no stack', async () => {
    const r = await bin(['frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^shopfds-test: error E_USAGE: unknown command 'frobnicate'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown option exits 2 with one line and no stack', async () => {
    for (const args of [['--frobnicate'], ['runs', 'list', '--frobnicate']]) {
      const r = await bin(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a bad option value exits 2 before anything is written', async () => {
    const r = await bin(['--db', 'results.db', 'runs', 'list', '--kind', 'unit']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--kind <kind>' argument 'unit' is invalid/);
    const limit = await bin(['--db', 'results.db', 'runs', 'list', '--limit', 'ten']);
    expect(limit.exitCode).toBe(2);
    expect(limit.stderr.trim()).toBe('shopfds-test: error E_USAGE: --limit must be a positive whole number (got "ten")');
  });

  it('every error line on stderr carries its stable code, the same code --json reports', async () => {
    const badConfig = join(tmp.dir, 'bad-config');
    mkdirSync(badConfig, { recursive: true });
    writeFileSync(join(badConfig, 'shopfds.config.json'), JSON.stringify({ colour: true }));
    const cases: { what: string; args: string[]; cwd?: string; env?: NodeJS.ProcessEnv; code: string; exit: number }[] = [
      { what: 'a bad option value', args: ['--db', 'results.db', 'runs', 'list', '--limit', 'ten'], code: 'E_USAGE', exit: 2 },
      { what: 'an unknown config key', args: ['runs', 'list'], cwd: badConfig, code: 'E_CONFIG_KEY', exit: 2 },
      { what: 'a missing tool', args: ['perf', 'load', '--base-url', 'http://127.0.0.1:9'], env: cliEnv({ PATH: '/usr/bin:/bin' }), code: 'E_TOOL_MISSING', exit: 3 },
      { what: 'an unreachable store', args: ['--db', 'postgres://nobody@127.0.0.1:1/nope', 'runs', 'list'], code: 'E_STORE', exit: 4 },
    ];
    for (const c of cases) {
      const r = await runBin(c.args, { cwd: c.cwd ?? tmp.dir, env: c.env });
      expect(r.exitCode, c.what).toBe(c.exit);
      expect(r.stderr.split('\n')[0], c.what).toMatch(new RegExp(`^shopfds-test: error ${c.code}: \\S`));
      const json = await runBin(['--json', ...c.args], { cwd: c.cwd ?? tmp.dir, env: c.env });
      expect(json.exitCode, `${c.what} --json`).toBe(c.exit);
      expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code, `${c.what} --json`).toBe(c.code);
      expect(json.stderr.split('\n')[0], `${c.what} --json`).toMatch(new RegExp(`^shopfds-test: error ${c.code}: `));
    }
  }, 120_000);

  it("commander's own usage errors have the same one-line form (E_USAGE)", async () => {
    for (const args of [['frobnicate'], ['runs', 'list', '--frobnicate'], ['perf']]) {
      const r = await bin(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], args.join(' ')).toMatch(/^shopfds-test: error E_USAGE: \S/);
    }
  });
});

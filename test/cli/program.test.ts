import { describe, expect, it } from 'vitest';
import { commandNameOf, createProgram } from '../../src/cli/program.js';
import type { CliIo } from '../../src/cli/context.js';

const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/' };
const run = () => async () => {};

describe('createProgram', () => {
  it('finds the command named on the command line past global options', () => {
    expect(commandNameOf(['--help'])).toBeNull();
    expect(commandNameOf([])).toBeNull();
    expect(commandNameOf(['--db', 'x.db', '--json', 'runs', 'list'])).toBe('runs');
    expect(commandNameOf(['--config', 'c.yaml', 'e2e', '--config', 'pw.config.ts'])).toBe('e2e');
    expect(commandNameOf(['--no-color', 'import', 'a.xml'])).toBe('import');
  });

  it('lists every top-level command with the same usage whether or not its module was loaded', async () => {
    const listed = await createProgram(io, run, ['--help']);
    const stubs = listed.commands.map((c) => ({ name: c.name(), usage: c.usage() }));
    expect(stubs.map((s) => s.name)).toEqual(['plan', 'demo', 'e2e', 'api', 'perf', 'scenarios', 'schema', 'chaos', 'canary', 'import', 'runs', 'report', 'serve', 'metrics', 'quarantine', 'db']);
    const full = await createProgram(io, run);
    for (const stub of stubs) {
      const real = full.commands.find((c) => c.name() === stub.name);
      expect(real, stub.name).toBeDefined();
      // The arguments shown in the top-level listing are the real command's arguments.
      const realArgs = real!.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
      const stubArgs = listed.commands.find((c) => c.name() === stub.name)!.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
      expect(stubArgs, stub.name).toEqual(realArgs);
    }
  });

  it('defines only the named command in full', async () => {
    const program = await createProgram(io, run, ['runs', 'list']);
    const runs = program.commands.find((c) => c.name() === 'runs')!;
    expect(runs.commands.map((c) => c.name())).toEqual(['list', 'show', 'failures', 'history', 'flaky', 'compare', 'trend']);
    const db = program.commands.find((c) => c.name() === 'db')!;
    expect(db.commands).toEqual([]);
  });
});

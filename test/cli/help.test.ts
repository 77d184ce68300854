import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { renderTopLevelHelp } from '../../src/cli/help-snapshot.js';
import { makeTempDir, runBin } from '../helpers/cli.js';

/*
 * `shopfds-test --help` prints the help rendered at build time (dist/cli/help.txt) without loading
 * commander; it must be exactly what commander prints.
 */

async function commanderHelp(args: string[]): Promise<string> {
  let out = '';
  const sink = { write: (s: string) => ((out += s), true) };
  const { exitCode } = await runCli(args, { stdout: sink, stderr: sink, env: {}, cwd: '/' }, { handleSignals: false });
  expect(exitCode).toBe(0);
  return out;
}

describe('top-level --help', () => {
  it('the built bin prints what commander renders, for --help and -h', async () => {
    const tmp = makeTempDir();
    try {
      const expected = await commanderHelp(['--help']);
      expect(expected).toContain('Usage: shopfds-test [options] [command]');
      expect(await renderTopLevelHelp()).toBe(expected);
      for (const flag of ['--help', '-h']) {
        const r = await runBin([flag], { cwd: tmp.dir });
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toBe(expected);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { liveToolCount, runProcess, startProcess, type OutputStream } from '../../src/exec/process.js';
import { REPO_ROOT } from '../helpers/cli.js';

/*
 * The one process helper (src/exec/process.ts) with real processes: node scripts standing in for a
 * tool. No timing is asserted; grace periods are short only so the escalation tests end quickly.
 */

const node = process.execPath;
const env = { PATH: process.env.PATH };

/** True once the pid is gone or a zombie (polling, generous). */
async function gone(pid: number, patienceMs = 30_000): Promise<boolean> {
  const until = Date.now() + patienceMs;
  for (;;) {
    let state: string | null = null;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!;
    } catch {
      return true;
    }
    if (state === 'Z' || state === 'X') return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('startProcess / runProcess', () => {
  it('streams every line of stdout, stderr and an extra pipe, the last one without a newline too, and keeps the output', async () => {
    const lines: [OutputStream, string][] = [];
    const script = `
      const fs = require('node:fs');
      process.stdout.write('one\\ntw'); process.stdout.write('o\\n');
      process.stderr.write('warn\\n');
      fs.writeSync(3, '{"type":"begin"}\\n');
      process.stdout.write('last');
      process.exitCode = 3;`;
    const exit = await runProcess({ file: node, args: ['-e', script], env, extraPipes: [3], onLine: (line, stream) => void lines.push([stream, line]) });
    expect(exit).toMatchObject({ exitCode: 3, signal: null, spawnError: null, cancelled: false, timedOut: false });
    expect(lines.filter(([s]) => s === 'stdout').map(([, l]) => l)).toEqual(['one', 'two', 'last']);
    expect(lines.filter(([s]) => s === 'stderr').map(([, l]) => l)).toEqual(['warn']);
    expect(lines.filter(([s]) => s === 3).map(([, l]) => l)).toEqual(['{"type":"begin"}']);
    expect(exit.stdout).toBe('one\ntwo\nlast');
    expect(exit.stderr).toBe('warn\n');
    expect(liveToolCount()).toBe(0);
  });

  it('passes stdin and keeps only the tail of a long output', async () => {
    const exit = await runProcess({
      file: node,
      args: ['-e', `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(s.toUpperCase()+'x'.repeat(5000)))`],
      env,
      input: 'hello',
      tailChars: 100,
    });
    expect(exit.exitCode).toBe(0);
    expect(exit.stdout).toBe('x'.repeat(100));
  });

  it('reports a tool that cannot be started, without throwing', async () => {
    const exit = await runProcess({ file: join(REPO_ROOT, 'no-such-tool'), args: [], env });
    expect(exit.exitCode).toBeNull();
    expect(exit.spawnError?.code).toBe('ENOENT');
    expect(liveToolCount()).toBe(0);
  });

  it('stops by escalation: SIGINT, then SIGTERM, then SIGKILL for a tool that ignores both', async () => {
    const controller = new AbortController();
    const got: string[] = [];
    const script = `
      for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => console.log('got ' + s));
      console.log('ready'); setInterval(() => {}, 1000);`;
    const tool = startProcess({
      file: node,
      args: ['-e', script],
      env,
      signal: controller.signal,
      // Room for a busy machine to deliver each signal and print its line before the next one.
      termAfterMs: 2_000,
      killAfterMs: 2_000,
      onLine: (line) => {
        got.push(line);
        if (line === 'ready') controller.abort();
      },
    });
    const exit = await tool.exited;
    expect(got).toEqual(['ready', 'got SIGINT', 'got SIGTERM']);
    expect(exit).toMatchObject({ exitCode: null, signal: 'SIGKILL', cancelled: true, timedOut: false });
    expect(tool.running()).toBe(false);
  });

  it('a tool that stops at the first signal gets no other', async () => {
    const got: string[] = [];
    const tool = startProcess({
      file: node,
      args: ['-e', `process.on('SIGINT', () => { console.log('stopping'); setTimeout(() => process.exit(105), 200); }); console.log('ready'); setInterval(() => {}, 1000);`],
      env,
      termAfterMs: 60_000,
      onLine: (line) => {
        got.push(line);
        if (line === 'ready') {
          tool.stop();
          tool.stop();
        }
      },
    });
    const exit = await tool.exited;
    expect(got).toEqual(['ready', 'stopping']);
    expect(exit).toMatchObject({ exitCode: 105, signal: null, cancelled: true });
  });

  it('stops at the time limit and says so', async () => {
    const exit = await runProcess({ file: node, args: ['-e', 'setInterval(() => {}, 1000)'], env, timeoutMs: 200, stopSignal: 'SIGTERM' });
    expect(exit).toMatchObject({ timedOut: true, cancelled: true, signal: 'SIGTERM' });
  });

  it('signals the whole process group: a grandchild goes with the tool', async () => {
    let grandchild = 0;
    const script = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log('grandchild ' + c.pid);
      setInterval(() => {}, 1000);`;
    const tool = startProcess({
      file: node,
      args: ['-e', script],
      env,
      stopSignal: 'SIGTERM',
      onLine: (line) => {
        const m = /^grandchild (\d+)$/.exec(line);
        if (m) {
          grandchild = Number(m[1]);
          tool.stop();
        }
      },
    });
    await tool.exited;
    expect(grandchild).toBeGreaterThan(0);
    expect(await gone(grandchild)).toBe(true);
  });
});

describe('when the CLI exits', () => {
  it('every tool, its group and what it started in a session of its own are killed, on process.exit as on an uncaught error', async () => {
    const helper = pathToFileURL(join(REPO_ROOT, 'dist', 'exec', 'process.js')).href;
    expect(existsSync(new URL(helper)), 'build dist/ first').toBe(true);
    for (const ending of ['process.exit(0)', 'throw new Error("boom")']) {
      // The "CLI": starts a tool that starts one child in its group and one in a new session (as a
      // daemon would), reports the pids, then ends.
      const tool = `
        const { spawn } = require('node:child_process');
        const keep = ['-e', 'setInterval(() => {}, 1000)'];
        const a = spawn(process.execPath, keep, { stdio: 'ignore' });
        const b = spawn(process.execPath, keep, { stdio: 'ignore', detached: true });
        b.unref();
        console.log(JSON.stringify([process.pid, a.pid, b.pid]));
        setInterval(() => {}, 1000);`;
      const cli = `
        const { startProcess } = await import(${JSON.stringify(helper)});
        startProcess({ file: process.execPath, args: ['-e', ${JSON.stringify(tool)}], env: process.env, onLine: (line) => {
          process.stdout.write(line + '\\n');
          setTimeout(() => { ${ending} }, 50);
        } });`;
      const child = spawn(node, ['--input-type=module', '-e', cli], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      await new Promise((r) => child.on('close', r));
      const pids = JSON.parse(out.trim().split('\n')[0]!) as number[];
      expect(pids).toHaveLength(3);
      for (const pid of pids) expect(await gone(pid), `${ending}: pid ${pid} survived`).toBe(true);
    }
  });
});

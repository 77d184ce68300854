import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findSystemChromium } from '../../src/adapters/playwright/browsers.js';
import { startKubeApiServer } from '../kube-api-server/server.js';
import { BIN, REPO_ROOT, cliEnv, makeTempDir } from '../helpers/cli.js';
import { doubleCtrlC, killSurvivors, markedProcesses, newMarker, notKilled, startBin, survivorsAfter, waitFor, type Survivor, type Watched } from '../helpers/procs.js';
import { kubeWorkspace } from '../chaos/harness.js';

/*
 * Two Ctrl-C 30 ms apart make the CLI leave at once (exit 130). No tool it started may outlive it:
 * each test starts the built bin with a unique marker in its environment, waits until the tool runs,
 * presses Ctrl-C twice and then looks in /proc for any process still carrying the marker (Playwright's
 * runner, its workers and Chromium; k6; Locust; kubectl). No timing is asserted; survivors get 30 s to go.
 */

const LONG = 360_000;
const cleanups: (() => unknown)[] = [];
let leftovers: Survivor[] = [];
afterEach(async () => {
  killSurvivors(leftovers);
  leftovers = [];
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * Exit 130, or killed by SIGINT when the second Ctrl-C lands after the command had already finished
 * and given the signal back to Node's default (a kubectl call ends at the first Ctrl-C).
 */
const interruptedExit = (closed: { exitCode: number | null; signal: NodeJS.Signals | null }) => closed.exitCode === 130 || closed.signal === 'SIGINT';

async function pressCtrlCTwiceAndCollect(cli: Watched, marker: { name: string; value: string }) {
  await doubleCtrlC(cli.child, 30);
  const closed = await cli.closed;
  // Everything must have been killed before the CLI was gone...
  const unkilled = await notKilled(marker);
  // ...and be gone a while later.
  const survivors = await survivorsAfter(marker);
  leftovers = survivors;
  return { closed, unkilled, survivors };
}

describe('a double Ctrl-C leaves no tool process behind', () => {
  it(
    'e2e: the Playwright runner, its workers and Chromium (real Playwright and Chromium, demo shop) are all gone',
    async () => {
      if (!findSystemChromium(process.env)) throw new Error('No Chromium found: install one (apt-get install -y chromium) or set SHOPFDS_CHROMIUM_PATH');
      const tmp = makeTempDir('shopfds-procs-e2e-');
      cleanups.push(tmp.cleanup);
      const marker = newMarker();
      const cli = startBin(BIN, ['--db', join(tmp.dir, 'results.db'), 'e2e', join(REPO_ROOT, 'scenarios'), '--retries', '0'], {
        cwd: tmp.dir,
        env: cliEnv({ [marker.name]: marker.value }),
      });
      cleanups.push(() => cli.child.kill('SIGKILL'));
      // Once a test has passed, Playwright's runner, a worker and a browser are running.
      await waitFor('the first passed test', () => /✓ \[chromium\]/.test(cli.stderr()), LONG - 60_000);
      const before = markedProcesses(marker).filter((p) => p.pid !== cli.child.pid);
      expect(before.some((p) => p.cmdline.includes('playwright')), JSON.stringify(before)).toBe(true);

      const { closed, unkilled, survivors } = await pressCtrlCTwiceAndCollect(cli, marker);
      expect(interruptedExit(closed), cli.stderr()).toBe(true);
      expect(unkilled, JSON.stringify(unkilled, null, 2)).toEqual([]);
      expect(survivors, JSON.stringify(survivors, null, 2)).toEqual([]);
    },
    LONG,
  );

  it(
    'perf: k6 (the k6 stand-in replaying recorded output) is gone',
    async () => {
      const tmp = makeTempDir('shopfds-procs-perf-');
      cleanups.push(tmp.cleanup);
      const marker = newMarker();
      const standIn = join(REPO_ROOT, 'test', 'fixtures', 'k6-stand-in');
      const cli = startBin(BIN, ['perf', 'soak', '--base-url', 'http://127.0.0.1:9', '--db', join(tmp.dir, 'results.db')], {
        cwd: tmp.dir,
        env: cliEnv({ [marker.name]: marker.value, PATH: `${standIn}:${process.env.PATH}`, K6_STANDIN_SCENARIO: 'abort' }),
      });
      cleanups.push(() => cli.child.kill('SIGKILL'));
      const isK6Run = (p: Survivor) => p.cmdline.includes(join(standIn, 'k6')) && / run /.test(`${p.cmdline} `);
      await waitFor('k6 run', () => markedProcesses(marker).some(isK6Run), 120_000);

      const { closed, unkilled, survivors } = await pressCtrlCTwiceAndCollect(cli, marker);
      expect(interruptedExit(closed), cli.stderr()).toBe(true);
      expect(unkilled, JSON.stringify(unkilled, null, 2)).toEqual([]);
      expect(survivors, JSON.stringify(survivors, null, 2)).toEqual([]);
    },
    LONG,
  );

  it(
    'perf: Locust (real Locust 2.12 against the demo shop) and its workers are gone',
    async () => {
      const tmp = makeTempDir('shopfds-procs-locust-');
      cleanups.push(tmp.cleanup);
      const marker = newMarker();
      const cli = startBin(BIN, ['perf', 'shop', '--tool', 'locust', '--duration', '5m', '--users', '2', '--spawn-rate', '2', '--db', join(tmp.dir, 'results.db')], {
        cwd: tmp.dir,
        env: cliEnv({ [marker.name]: marker.value, SHOPFDS_LOCUST_PATH: process.env.SHOPFDS_LOCUST_PATH ?? '/usr/bin/locust' }),
      });
      cleanups.push(() => cli.child.kill('SIGKILL'));
      const isLocust = (p: Survivor) => p.pid !== cli.child.pid && /locust/.test(p.cmdline) && !/--version/.test(p.cmdline);
      await waitFor('locust run', () => markedProcesses(marker).some(isLocust), 120_000);

      const { closed, unkilled, survivors } = await pressCtrlCTwiceAndCollect(cli, marker);
      expect(interruptedExit(closed), cli.stderr()).toBe(true);
      expect(unkilled, JSON.stringify(unkilled, null, 2)).toEqual([]);
      expect(survivors, JSON.stringify(survivors, null, 2)).toEqual([]);
    },
    LONG,
  );

  it(
    'chaos run: a kubectl waiting on a hung API request (real kubectl, stand-in API server) is gone',
    async () => {
      const server = await startKubeApiServer({
        pods: [0, 1, 2].map((i) => ({ name: `fds-7d9c-${i}`, namespace: 'shop', labels: { app: 'fds' }, ready: true })),
        hang: (method, path) => method === 'GET' && path.endsWith('/pods'),
      });
      const ws = kubeWorkspace(server, 'shopfds-procs-kube-');
      cleanups.push(() => server.close(), ws.cleanup);
      const marker = newMarker();
      const cli = startBin(
        BIN,
        ['--db', ws.db, 'chaos', 'run', 'fds-pod-delete', '--dir', join(REPO_ROOT, 'test/chaos/fixtures/experiments'), ...ws.args],
        { cwd: ws.dir, env: cliEnv({ [marker.name]: marker.value }) },
      );
      cleanups.push(() => cli.child.kill('SIGKILL'));
      await waitFor('a hung request for pods', () => server.requests.some((r) => r.path.endsWith('/pods')), 120_000);
      const before = markedProcesses(marker).filter((p) => p.pid !== cli.child.pid);
      expect(before.some((p) => p.cmdline.includes('kubectl')), JSON.stringify(before)).toBe(true);

      const { closed, unkilled, survivors } = await pressCtrlCTwiceAndCollect(cli, marker);
      expect(interruptedExit(closed), cli.stderr()).toBe(true);
      expect(unkilled, JSON.stringify(unkilled, null, 2)).toEqual([]);
      expect(survivors, JSON.stringify(survivors, null, 2)).toEqual([]);
    },
    LONG,
  );
});

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cliEnv, REPO_ROOT } from '../helpers/cli.js';
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions, type PodSeed } from '../kube-api-server/server.js';

export { REPO_ROOT };

export interface CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<{ exitCode: number | null; stdout: string; stderr: string }>;
}

/** Spawns the built bin without waiting, so a test can signal it. */
export function startCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 55_000);
  const done = new Promise<{ exitCode: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }) {
  return startCli(args, options).done;
}

/** A temp dir with a kubeconfig for the server and a private kubectl cache; `args` are the kube flags. */
export function kubeWorkspace(server: KubeApiServer | null, prefix = 'shopfds-kube-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const kubeconfig = server ? server.writeKubeconfig(dir) : join(dir, 'kubeconfig.yaml');
  return {
    dir,
    kubeconfig,
    db: join(dir, 'results.db'),
    args: ['--kubeconfig', kubeconfig, '--kube-cache-dir', join(dir, 'kube-cache')],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Waits until `check` holds (polling), or throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The JSON run printed by `--json` (the last JSON document on stdout). */
export function parseRun(stdout: string): any {
  const start = stdout.indexOf('{');
  return JSON.parse(stdout.slice(start));
}

/** The chaos experiments the chaos tests run. */
export const CHAOS_EXPERIMENTS = join(REPO_ROOT, 'test/chaos/fixtures/experiments');
/** Polls the stand-in Litmus operator fast. */
export const CHAOS_POLL = ['--poll-interval', '200ms'];

/** `count` pods of `app` in namespace shop. */
export function pods(app: string, ready = true, count = 3): PodSeed[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${app}-7d9c-${i}`, namespace: 'shop', labels: { app }, ready }));
}

/**
 * A stand-in API server with the fds and ecommerce-backend pods, a workspace for it, and the
 * `chaos run` arguments around an experiment name: `[...base, name, ...tail]`. Both are closed by
 * the functions pushed on `cleanups`.
 */
export async function setupChaosRun(cleanups: (() => unknown)[], options: KubeApiServerOptions = {}) {
  const server = await startKubeApiServer({ pods: [...pods('fds'), ...pods('ecommerce-backend')], ...options });
  const ws = kubeWorkspace(server);
  cleanups.push(() => server.close(), ws.cleanup);
  const base = ['--db', ws.db, '--json', 'chaos', 'run'];
  return { server, ws, base, tail: ['--dir', CHAOS_EXPERIMENTS, ...ws.args, ...CHAOS_POLL] };
}

/** The ChaosEngines the CLI created. */
export const engineCreates = (server: KubeApiServer) => server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/chaosengines'));
/** The stop patches the CLI sent. */
export const stopPatches = (server: KubeApiServer) =>
  server.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/chaosengines/') && JSON.stringify(r.body) === '{"spec":{"engineState":"stop"}}');

/** An HTTP server on a free loopback port (a steady-state probe target). */
export async function startHttpServer(handler: RequestListener): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

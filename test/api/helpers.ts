import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'bin', 'shopfds-test.js');
export const FIXTURES = join(REPO, 'test', 'api', 'fixtures');
export const EXAMPLE_COLLECTION = join(REPO, 'collections', 'shopfds-api.postman_collection.json');
export const EXAMPLE_ENVIRONMENT = join(REPO, 'collections', 'shopfds-local.postman_environment.json');

export interface CliResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...extra };
  for (const key of ['SHOPFDS_DATABASE_URL', 'SHOPFDS_HOME', 'SHOPFDS_ENV', 'FORCE_COLOR', 'SHOPFDS_DEMO_FAULTS']) if (!(key in extra)) delete env[key];
  return env;
}

/** Spawns the built bin; `onStderr` sees stderr as it arrives (to time a signal). */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; onStderr?: (text: string, child: ChildProcess) => void },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env ?? cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      options.onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 90_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, stdout, stderr });
    });
  });
}

export function tempDir(prefix = 'shopfds-api-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The stored runs of a database, via `runs list --json` then `runs show --json`. */
export async function storedRuns(db: string, cwd: string): Promise<any[]> {
  // Read commands never create a store: a database that was never written holds no runs.
  if (!/^postgres(ql)?:/.test(db) && !existsSync(resolve(cwd, db))) return [];
  const list = await runCli(['--db', db, 'runs', 'list', '--json'], { cwd });
  if (list.exitCode !== 0) throw new Error(`runs list failed: ${list.stderr}`);
  const runs = JSON.parse(list.stdout) as { id: string }[];
  const shown = [];
  for (const r of runs) {
    const show = await runCli(['--db', db, 'runs', 'show', r.id, '--json'], { cwd });
    if (show.exitCode !== 0) throw new Error(`runs show failed: ${show.stderr}`);
    shown.push(JSON.parse(show.stdout));
  }
  return shown;
}

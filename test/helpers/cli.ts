import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO_ROOT, 'bin', 'shopfds-test.js');

export interface BinResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunBinOptions {
  readonly cwd: string;
  /** The whole environment of the child (default: this process's, with CI=true and NO_COLOR=1). */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** The CI-like environment CLI tests run the bin in. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1', ...extra };
  // A developer's own settings, or the CI system the tests run on, must not leak into the tests.
  const foreign = [
    'SHOPFDS_DATABASE_URL',
    'SHOPFDS_HOME',
    'SHOPFDS_ENV',
    'SHOPFDS_EXECUTED_BY',
    'SHOPFDS_DEBUG',
    'FORCE_COLOR',
    'GITHUB_ACTIONS',
    'GITLAB_CI',
    'JENKINS_URL',
    'BUILD_ID',
    'BUILD_URL',
    'GIT_COMMIT',
    'GIT_BRANCH',
  ];
  for (const key of foreign) if (!(key in extra)) delete env[key];
  return env;
}

/** Spawns the built bin (`node bin/shopfds-test.js ...args`) for real. */
export function runBin(args: readonly string[], options: RunBinOptions): Promise<BinResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env ?? cliEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A temp dir removed by the returned cleanup. */
export function makeTempDir(prefix = 'shopfds-cli-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

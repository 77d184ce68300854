import { ToolError } from '../model/index.js';
import { runProcess } from './process.js';

/** How to reach the cluster: the user's kubeconfig, context and namespace, as given on the command line. */
export interface KubectlTarget {
  /** The kubectl binary: `SHOPFDS_KUBECTL`, else `kubectl` on PATH. */
  readonly binary: string;
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  /** Omitted: kubectl uses the context's namespace. */
  readonly namespace?: string | undefined;
  /** kubectl's discovery cache (`--cache-dir`); kubectl also reads `KUBECACHEDIR`. */
  readonly cacheDir?: string | undefined;
  /** Per-request timeout passed as `--request-timeout` (e.g. "10s"). */
  readonly requestTimeout?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface KubectlCapture {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlCallOptions {
  /** Written to kubectl's stdin (`apply -f -`). */
  readonly input?: string;
  /** Cancels the call. Do not pass the run's abort signal to the calls that stop chaos. */
  readonly signal?: AbortSignal;
  /** Hard limit for the process, in milliseconds. */
  readonly timeoutMs?: number;
}

/** The global flags every kubectl call gets, in a fixed order (tests assert the exact argv). */
export function kubectlGlobalArgs(target: KubectlTarget): string[] {
  const args: string[] = [];
  if (target.kubeconfig) args.push('--kubeconfig', target.kubeconfig);
  if (target.context) args.push('--context', target.context);
  if (target.cacheDir) args.push('--cache-dir', target.cacheDir);
  args.push('--request-timeout', target.requestTimeout ?? '20s');
  if (target.namespace) args.push('-n', target.namespace);
  return args;
}

/**
 * Runs kubectl once and captures its output. A non-zero exit is returned, not thrown: "NotFound" is
 * an ordinary answer while waiting for a ChaosResult. Only a binary that cannot be started throws.
 */
export async function runKubectl(target: KubectlTarget, args: readonly string[], options: KubectlCallOptions = {}): Promise<KubectlCapture> {
  const argv = [...kubectlGlobalArgs(target), ...args];
  const result = await runProcess({
    file: target.binary,
    args: argv,
    env: target.env,
    input: options.input,
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 60_000,
    // kubectl holds no state worth a long goodbye.
    stopSignal: 'SIGTERM',
    termAfterMs: 2_000,
    killAfterMs: 2_000,
    tailChars: 64 * 1024 * 1024,
  });
  const spawnError = result.spawnError;
  if (spawnError) {
    throw new ToolError(`kubectl not found: could not run "${target.binary}" (${spawnError.code ?? spawnError.message})`, {
      hint: KUBECTL_INSTALL_HINT,
      cause: spawnError,
    });
  }
  return {
    argv: [target.binary, ...argv],
    exitCode: result.exitCode ?? (result.cancelled && !result.timedOut ? 130 : 1),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

const KUBECTL_INSTALL_HINT = 'Install kubectl (https://kubernetes.io/docs/tasks/tools/ or "apt-get install kubernetes-client") or point SHOPFDS_KUBECTL at it.';

/** kubectl's client version (`kubectl version --client -o json`), or a ToolError saying how to install it. */
export async function detectKubectl(target: KubectlTarget): Promise<string> {
  const result = await runProcess({
    file: target.binary,
    args: ['version', '--client', '-o', 'json'],
    env: target.env,
    timeoutMs: 30_000,
    stopSignal: 'SIGTERM',
    termAfterMs: 2_000,
    killAfterMs: 2_000,
  });
  const spawnError = result.spawnError;
  if (spawnError) {
    throw new ToolError(`kubectl not found: could not run "${target.binary}"${spawnError.code ? ` (${spawnError.code})` : ''}`, {
      hint: KUBECTL_INSTALL_HINT,
      cause: spawnError,
    });
  }
  try {
    const parsed = JSON.parse(result.stdout) as { clientVersion?: { gitVersion?: string } };
    if (parsed.clientVersion?.gitVersion) return parsed.clientVersion.gitVersion;
  } catch {
    // fall through
  }
  throw new ToolError(`"${target.binary} version --client -o json" did not print a client version (exit ${result.exitCode ?? result.signal})`, {
    hint: result.stderr.split('\n')[0] || undefined,
  });
}

import { join } from 'node:path';

/** How to install k6, shown when it cannot be found or started. */
export const K6_INSTALL_HINT =
  'Install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/): Debian/Ubuntu from the k6 apt repository ' +
  '("sudo apt-get install k6" after adding https://dl.k6.io/deb), macOS "brew install k6", Docker "docker run --rm -i grafana/k6", ' +
  'or a release binary from https://github.com/grafana/k6/releases; then put it on PATH or set SHOPFDS_K6_PATH.';

/** Trend statistics requested from k6, so the summary carries p(99) and the sample count. */
export const K6_SUMMARY_TREND_STATS = 'avg,min,med,max,p(90),p(95),p(99),count';

export interface K6InvocationOptions {
  /** The k6 binary. */
  readonly k6Path: string;
  readonly script: string;
  /** The run's work directory; k6 writes its summary export and JSON output there. */
  readonly workDir: string;
  readonly vus?: number | undefined;
  readonly duration?: string | undefined;
  /** Script variables (`-e KEY=VALUE`), in order. */
  readonly scriptEnv: ReadonlyArray<readonly [string, string]>;
}

export interface K6Invocation {
  readonly file: string;
  readonly args: readonly string[];
  /** Added to the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The machine-readable files k6 will write. */
  readonly files: { readonly summary: string; readonly points: string };
}

/**
 * The k6 command line. Pure: the same options give the same argv (tests assert it exactly).
 * `--summary-export` and `--out json=` are the machine-readable outputs; the text summary on
 * stdout is never read. `--quiet` drops the progress bar (we draw our own from the JSON output).
 */
export function buildK6Invocation(options: K6InvocationOptions): K6Invocation {
  const summary = join(options.workDir, 'summary.json');
  const points = join(options.workDir, 'points.ndjson');
  const args = ['run', '--summary-export', summary, '--summary-trend-stats', K6_SUMMARY_TREND_STATS, '--out', `json=${points}`, '--no-color', '--quiet'];
  if (options.vus !== undefined) args.push('--vus', String(options.vus));
  if (options.duration !== undefined) args.push('--duration', options.duration);
  for (const [key, value] of options.scriptEnv) args.push('-e', `${key}=${value}`);
  args.push(options.script);
  return {
    file: options.k6Path,
    args,
    // k6 phones home with anonymous usage statistics by default; a test orchestrator should not.
    env: { K6_NO_USAGE_REPORT: 'true' },
    files: { summary, points },
  };
}

/** The version out of `k6 version` ("k6 v0.49.0 (go1.21.6, linux/amd64)", "k6 v1.0.0 (commit/..., go1.24.2, ...)"). */
export function parseK6Version(stdout: string): string | null {
  const m = /\bk6\s+v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(stdout);
  return m ? m[1]! : null;
}

/** Quotes one argument for a shown command line. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

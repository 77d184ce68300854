import { join } from 'node:path';

/** How to install Locust, shown when it cannot be found or started. */
export const LOCUST_INSTALL_HINT =
  'Install Locust (https://docs.locust.io/en/stable/installation.html): Debian/Ubuntu "sudo apt-get install python3-locust", ' +
  'or "pip install locust"; then put "locust" on PATH or set SHOPFDS_LOCUST_PATH.';

/** The defaults of the design documents' validation run (`locust --headless -u 15 -r 5 -t 20s`). */
export const LOCUST_DEFAULTS = { users: 15, spawnRate: 5, runTime: '20s' } as const;

export interface LocustInvocationOptions {
  readonly locustPath: string;
  readonly locustfile: string;
  /** Loaded next to the locustfile: writes Locust's last CSV round when it quits (locust/plugins/). */
  readonly finalCsvPlugin: string | null;
  /** The run's work directory; Locust writes its CSV files there. */
  readonly workDir: string;
  readonly users: number;
  readonly spawnRate: number;
  /** Locust --run-time (`20s`, `5m`, `1h30m`). */
  readonly runTime: string;
  readonly host: string;
  /** Locust's exit code when any request failed or a task raised (its default: 1). */
  readonly exitCodeOnError: number;
}

export interface LocustInvocation {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The machine-readable files Locust will write. */
  readonly files: { readonly prefix: string; readonly stats: string; readonly history: string; readonly failures: string; readonly exceptions: string };
}

/**
 * The Locust command line. Pure: the same options give the same argv.
 * `--csv` with `--csv-full-history` writes the totals per request name and a per-second history
 * (Locust 2.12 has no --json); `--only-summary` keeps Locust from printing its table every 2 s.
 */
export function buildLocustInvocation(o: LocustInvocationOptions): LocustInvocation {
  const prefix = join(o.workDir, 'locust');
  const files = o.finalCsvPlugin ? `${o.locustfile},${o.finalCsvPlugin}` : o.locustfile;
  const args = [
    '-f',
    files,
    '--headless',
    '--users',
    String(o.users),
    '--spawn-rate',
    String(o.spawnRate),
    '--run-time',
    o.runTime,
    '--host',
    o.host,
    '--csv',
    prefix,
    '--csv-full-history',
    '--only-summary',
    '--exit-code-on-error',
    String(o.exitCodeOnError),
  ];
  return {
    file: o.locustPath,
    args,
    // Unbuffered, so Locust's log lines reach us as they happen.
    env: { PYTHONUNBUFFERED: '1' },
    files: locustCsvFiles(prefix),
  };
}

/** The files of `--csv PREFIX`. */
export function locustCsvFiles(prefix: string) {
  return { prefix, stats: `${prefix}_stats.csv`, history: `${prefix}_stats_history.csv`, failures: `${prefix}_failures.csv`, exceptions: `${prefix}_exceptions.csv` };
}

/**
 * The version out of `locust --version` ("locust 2.12.1"). Debian's python3-locust 2.12 prints
 * "locust " with no number (its package metadata says 0.0.0); the caller then asks dpkg.
 */
export function parseLocustVersion(stdout: string): string | null {
  const m = /\blocust\s+v?(\d+\.\d+(?:\.\d+)?(?:[.-][0-9A-Za-z.-]+)?)/i.exec(stdout);
  return m ? m[1]! : null;
}

/** "2.12.1-1" (a Debian package version) -> "2.12.1". */
export function parseDebianVersion(text: string): string | null {
  const m = /^(?:\d+:)?(\d+\.\d+(?:\.\d+)?)/.exec(text.trim());
  return m ? m[1]! : null;
}

/** Locust's --run-time: `20s`, `5m`, `1h30m`, or whole seconds. */
export const LOCUST_RUN_TIME = /^(?:\d+|(?:\d+h)?(?:\d+m)?(?:\d+s)?)$/;

/** --run-time in milliseconds (null for an invalid value). */
export function runTimeMs(value: string): number | null {
  if (!value || !LOCUST_RUN_TIME.test(value)) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)!;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

import type { CiInfo, Environment, Run } from '../model/index.js';
import type { ConfigFile } from '../config/schema.js';

/** A stream the CLI writes to. Tests inject their own. */
export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Everything the program touches from the outside world, injected so tests get a fresh instance. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Global flags after merging flags > environment > config file > defaults. */
export interface ResolvedGlobals {
  /** SQLite path or postgres:// URL. */
  readonly db: string;
  readonly json: boolean;
  readonly color: boolean;
  readonly debug: boolean;
  /** Detected CI, or null on a developer machine. */
  readonly ci: CiInfo | null;
  /** True when spinners and live redraws are allowed (stderr is a TTY, not CI); --json changes stdout only. */
  readonly interactive: boolean;
  readonly config: ConfigFile;
  readonly configFile: string | null;
  /** Directory that holds the default database, spool and artifacts (`.shopfds`). */
  readonly stateDir: string;
  readonly artifactsDir: string;
  readonly executedBy: string;
  readonly defaultEnvironment: Environment;
  /** Pushgateway URL (--pushgateway > SHOPFDS_PUSHGATEWAY_URL > config prometheus.pushgateway), or null. */
  readonly pushgateway: string | null;
}

/** Progress output on stderr: a redrawn line on a TTY, plain lines in CI and pipes, with or without --json. */
export interface Progress {
  /** Replaces the live status line (TTY) or is dropped (CI/plain) unless `important`. */
  update(text: string): void;
  /** Prints a permanent line to stderr (also in CI, not with --json). */
  line(text: string): void;
  /** Clears the live line. */
  stop(): void;
}

export type TeardownFn = () => unknown | Promise<unknown>;

/** What a command's action receives. */
export interface CommandContext {
  readonly io: CliIo;
  readonly globals: ResolvedGlobals;
  readonly progress: Progress;
  /** Aborted on SIGINT or SIGTERM; actions pass it to the tools they run. */
  readonly signal: AbortSignal;
  /** Which signal stopped us, once one arrived. */
  interruptedBy(): 'SIGINT' | 'SIGTERM' | null;
  /**
   * Aborted by a second SIGINT/SIGTERM while the action holds the exit (`holdExit`): the action
   * cuts its cleanup short (chaos: the stop patch is still sent, the wait for its confirmation is
   * not). Without a hold, a second signal exits at once; a third always does.
   */
  readonly urgentSignal: AbortSignal;
  /** Keeps a second signal from exiting at once while cleanup that must reach a cluster runs; returns the release. */
  holdExit(): () => void;
  /**
   * Registers teardown before setup: teardowns run in reverse order when the action ends,
   * also after Ctrl-C.
   */
  onTeardown(fn: TeardownFn): void;
  /** Writes a line to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /**
   * Set when the command runs as a step of a plan: every run it stores becomes a child of the plan
   * run and is handed to the plan; the plan prints the summary, so the command prints none.
   */
  readonly planStep?: PlanStepSink;
}

/** Where a plan step's runs go. */
export interface PlanStepSink {
  readonly parentRunId: string;
  /** Called once per run the step stored (or spooled). */
  stored(run: Run, spooled: boolean): void;
}

/** An action returns its exit code; only the main module sets the process's exit code. */
export type ActionFn<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<number>;

/** How a command hands its action to the runner (main.ts) without loading it up front. */
export type Runner = <A extends unknown[]>(load: () => Promise<ActionFn<A>>) => (...args: unknown[]) => Promise<void>;

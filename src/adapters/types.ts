import type { CaseStatus, MakeRunInput, RunKind, RunStart, ShopfdsError } from '../model/index.js';

/*
 * The contract every wrapped tool implements (STYLE.md section 2), and the one pipeline in
 * src/cli/run-tool.ts runs any of them:
 *
 *   resolve -> detect -> start -> target -> work dir -> buildInvocation -> execute (or spawn)
 *   -> parse -> makeRun -> validate -> save or spool -> render -> exit code
 *
 * A tool is a folder src/adapters/<tool>/ whose index.ts exports its adapter, plus one line in
 * src/adapters/registry.ts and, for a command of its own, one entry (its option table) in
 * src/cli/run-commands.ts.
 */

/** The process environment and working directory the CLI runs in. */
export interface ToolEnv {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What `resolve` may look at besides the request: files relative to `cwd`, CI or not. */
export interface ResolveContext extends ToolEnv {
  /** True when running in CI (drafts are skipped, etc.). */
  readonly ci: boolean;
  /** `.shopfds` (work dirs, spool) and where artifacts are copied. */
  readonly stateDir: string;
  readonly artifactsDir: string;
  /** Who runs it (recorded as created_by / executed_by). */
  readonly executedBy: string;
}

/** The tool found by `detect`: where it is and its version (null when it does not say). */
export interface ToolFound {
  readonly name: string;
  readonly version: string | null;
  /** Executable or package entry point; null for tools used in-process without one. */
  readonly path: string | null;
  /** Adapter-specific facts the invocation needs (Playwright's test entry URL, ...). */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * Whether the run needs the system under test, decided from the plan.
 * - `none`: the tool talks to something else (a cluster) or is given its own config.
 * - `resolve`: `baseUrl` when given (flag or config; checked as an http(s) URL), else the bundled
 *   demo shop is started for the run and stopped after it.
 * - `given`: use this URL as it is (a URL the tool's own inputs already name).
 * With `check`, a given URL (not the demo shop) must answer one HEAD request before anything runs.
 */
export type TargetNeed =
  | { readonly mode: 'none' }
  | { readonly mode: 'resolve'; readonly baseUrl?: string | undefined; /** A given URL must answer before the run starts (exit 3 in one line if not). */ readonly check?: boolean }
  | { readonly mode: 'given'; readonly baseUrl: string };

/** Everything `buildInvocation` may use besides the plan. */
export interface InvocationContext extends ResolveContext {
  readonly run: RunStart;
  readonly tool: ToolFound;
  /** `.shopfds/work/<run-id>/`, created before and removed after the run (kept with --debug). */
  readonly workDir: string;
  /** The system under test, or null when the target need was `none`. */
  readonly baseUrl: string | null;
  /** True when `baseUrl` is the demo shop started for this run. */
  readonly demo: boolean;
  readonly debug: boolean;
}

/** A process to start: the pipeline spawns it through src/exec when the adapter has no `execute`. */
export interface SpawnCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Added to the CLI's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: the CLI's working directory. */
  readonly cwd?: string;
}

/** What `buildInvocation` returns. Adapters extend it with what their `execute`/`parse` need. */
export interface Invocation {
  /** The equivalent command line, stored with the run (secrets are masked before it is stored). */
  readonly commandLine: string | null;
  /** The process to spawn; required when the adapter has no `execute`. */
  readonly command?: SpawnCommand;
}

/** What a spawned tool left behind: the capture of the pipeline's default spawn (src/exec/spawn.ts). */
export type { ProcessCapture } from '../exec/spawn.js';
import type { ProcessCapture } from '../exec/spawn.js';

/**
 * The one progress vocabulary. Adapters emit these while the tool runs; `describe(event)` words
 * them; the pipeline draws them the same way for every tool (a live line on a TTY, plain lines in
 * CI, nothing with --json).
 */
export type ToolEvent =
  /** The tool started; `total` cases when known. */
  | { readonly type: 'begin'; readonly total: number | null; readonly label: string }
  /** A case (test, request, probe) started. */
  | { readonly type: 'case-begin'; readonly name: string; readonly group: string | null; readonly retry: number }
  /**
   * A case ended. `retrying` is an attempt that will be retried; the other outcomes are final and
   * are counted on the live line.
   */
  | {
      readonly type: 'case-end';
      readonly name: string;
      readonly group: string | null;
      readonly outcome: CaseStatus | 'retrying';
      readonly durationMs: number | null;
      /** A short fact shown after the name (`200`, `2 failures`). */
      readonly detail: string | null;
    }
  /** Live figures of a long-running tool (k6 VUs and rates, canary weight); on the live line, and every 10 s in CI. */
  | { readonly type: 'sample'; readonly elapsedMs: number; readonly values: Readonly<Record<string, number | null>> }
  /** A step of a polled tool (chaos: injecting, recovering; canary: progressing). Always a line. */
  | { readonly type: 'phase'; readonly phase: string; readonly detail: string | null }
  /** A message from the tool or the adapter. Always a line. */
  | { readonly type: 'note'; readonly text: string }
  | { readonly type: 'end' };

/** What `execute` gets: cancel with `signal` (Ctrl-C, --timeout), report with `emit`. */
export interface ExecuteIo extends ToolEnv {
  readonly signal: AbortSignal;
  emit(event: ToolEvent): void;
  readonly debug: boolean;
  /** Mirrors the tool's own output (with --debug). */
  echo(chunk: string): void;
}

/** What `parse` may use besides the capture and the plan. */
export interface ParseContext extends ResolveContext {
  readonly run: RunStart;
  readonly tool: ToolFound;
  readonly workDir: string;
  readonly baseUrl: string | null;
  readonly demo: boolean;
  /** The run name given with --name, or null: the adapter then names the run. */
  readonly requestedName: string | null;
  /** True when Ctrl-C, SIGTERM or --timeout stopped the run. */
  readonly interrupted: boolean;
  /** Which signal, for the message. */
  readonly interruptedBy: 'SIGINT' | 'SIGTERM' | 'timeout' | null;
}

/**
 * A completed tool run, before `makeRun` adds totals, status and the fields the pipeline knows.
 * The adapter names the run (applying ParseContext.requestedName); see MakeRunInput for the shared fields.
 */
export interface ToolOutcome
  extends Pick<MakeRunInput, 'name' | 'cases' | 'details' | 'metrics' | 'artifacts' | 'metadata' | 'shard' | 'status' | 'completedAt' | 'durationMs'> {
  /** A tool-level problem next to (or instead of) test results; with no failed case the run is `error`. */
  readonly toolError?: string | null;
  readonly interrupted: boolean;
  /** The run's message (default: toolError). */
  readonly errorMessage?: string | null;
  /** Lines for the user after the run (stderr, also with --json), e.g. a missed throughput target. */
  readonly notes?: readonly string[];
  /** The tool's own start time, when it reports one. */
  readonly startedAt?: string;
  /** The version the tool's output names, when detect could not tell. */
  readonly toolVersion?: string | null;
  /** Overrides the invocation's command line. */
  readonly commandLine?: string | null;
}

/**
 * The result of `parse`: a run (failures included: test failures are data), or a tool error
 * (exit 3, nothing stored) when the tool's output cannot be made into a run.
 */
export type ToolResult =
  | { readonly type: 'run'; readonly outcome: ToolOutcome }
  | { readonly type: 'error'; readonly error: ShopfdsError };

/**
 * One wrapped tool.
 * - `resolve`: pure (reads its input files at most); checks the request, throws UsageError (exit 2).
 * - `detect`: finds the tool and its version, or throws a ToolError with the install hint (E_TOOL_MISSING).
 * - `target`: whether the run needs the system under test (default `resolve` with no URL).
 * - `buildInvocation`: argv, env and the machine-readable files the tool will write.
 * - `execute`: for tools that are polled (Litmus, Flagger) or run in-process (Newman), or that need
 *   their own process driver; without it the pipeline spawns `invocation.command` through src/exec
 *   and the capture is a ProcessCapture.
 * - `describe`: words a ToolEvent for the progress output (null: say nothing).
 * - `parse`: pure over the capture and the files the tool wrote.
 */
export interface ToolAdapter<Request = unknown, Plan = unknown, Inv extends Invocation = Invocation, Capture = ProcessCapture> {
  readonly name: string;
  readonly kind: RunKind;
  /** The run's artifacts live in its work dir: keep it after the run (default: removed unless --debug). */
  readonly keepsWorkDir?: boolean;
  resolve(request: Request, at: ResolveContext): Plan | Promise<Plan>;
  detect(at: ToolEnv, plan: Plan): Promise<ToolFound>;
  target?(plan: Plan, given: { readonly baseUrl: string | undefined }): TargetNeed;
  buildInvocation(plan: Plan, at: InvocationContext): Inv | Promise<Inv>;
  execute?(invocation: Inv, io: ExecuteIo, plan: Plan): Promise<Capture>;
  describe(event: ToolEvent): string | null;
  parse(capture: Capture, plan: Plan, at: ParseContext): ToolResult | Promise<ToolResult>;
}

/** Any adapter, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyToolAdapter = ToolAdapter<any, any, any, any>;

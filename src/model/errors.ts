/**
 * Exit codes, as documented in the README:
 * 0 passed, 1 tests/thresholds/verdicts/gates failed, 2 usage or configuration error,
 * 3 wrapped tool missing/crashed/unparseable, 4 result store failed (run spooled),
 * 130/143 interrupted by SIGINT/SIGTERM.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  tool: 3,
  store: 4,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Stable error codes: printed in the one-line message (`shopfds-test: error E_TOOL_MISSING: ...`, see
 * errorLine) and in the `--json` error object, so scripts can act on them.
 */
export const ERROR_CODES = {
  /** Bad flag, argument or input file (exit 2). */
  usage: 'E_USAGE',
  /** An imported report with the same content is already stored; `--force` stores it again (exit 2). */
  duplicateImport: 'E_DUPLICATE_IMPORT',
  /** The config file is unreadable, invalid, or has an unknown key or a bad value (exit 2). */
  config: 'E_CONFIG_KEY',
  /** A wrapped tool is not installed or cannot be found (exit 3). */
  toolMissing: 'E_TOOL_MISSING',
  /** A wrapped tool crashed or wrote output that cannot be parsed (exit 3). */
  tool: 'E_TOOL',
  /** The run the tool produced breaks the run model's rules; it was spooled (exit 3). */
  invalidRun: 'E_RUN_INVALID',
  /** The result store failed (exit 4). */
  store: 'E_STORE',
  /** A report file (--junit, --markdown, --html) could not be written; the run is stored (exit 3). */
  reportWrite: 'E_REPORT_WRITE',
  /** Stopped by a signal (exit 130/143). */
  interrupted: 'E_INTERRUPTED',
  /** A plan file is invalid: bad YAML, an unknown key, step option or gate (exit 2). */
  plan: 'E_PLAN_INVALID',
  /** A plan's service did not start or never became healthy (exit 3). */
  service: 'E_SERVICE',
  /** Not a known error: a bug (exit 70). */
  internal: 'E_INTERNAL',
} as const;

/**
 * The one line an error is printed as on stderr: `shopfds-test: error E_TOOL_MISSING: k6 is not installed`.
 * The code sits between `error` and the colon, so `grep 'error E_'` finds every error line.
 */
export function errorLine(code: string, message: string): string {
  return `shopfds-test: error ${code}: ${message}`;
}

export interface ShopfdsErrorOptions {
  /** One more line telling the user what to do. */
  hint?: string;
  cause?: unknown;
  /** A more precise stable code than the class's default (e.g. E_TOOL_MISSING for a ToolError). */
  code?: string;
}

/** Base of every known error: a stable `code`, the exit code it maps to, and an optional hint. */
export class ShopfdsError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;

  constructor(code: string, exitCode: ExitCodeValue, message: string, options: ShopfdsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ShopfdsError';
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad flags, arguments, config or input files. Nothing was run, nothing was written. */
export class UsageError extends ShopfdsError {
  constructor(message: string, options: ShopfdsErrorOptions = {}) {
    super(options.code ?? ERROR_CODES.usage, ExitCode.usage, message, options);
    this.name = 'UsageError';
  }
}

/** Config problems, collected and printed together as `file: path.to.key: message`. */
export class ConfigError extends ShopfdsError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options: ShopfdsErrorOptions = {}) {
    super(options.code ?? ERROR_CODES.config, ExitCode.usage, issues.join('\n'), options);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** A wrapped tool is missing, crashed, or wrote output that cannot be parsed. */
export class ToolError extends ShopfdsError {
  constructor(message: string, options: ShopfdsErrorOptions = {}) {
    super(options.code ?? ERROR_CODES.tool, ExitCode.tool, message, options);
    this.name = 'ToolError';
  }
}

/** The result store cannot be reached or refused the write. */
export class StoreError extends ShopfdsError {
  constructor(message: string, options: ShopfdsErrorOptions = {}) {
    super(options.code ?? ERROR_CODES.store, ExitCode.store, message, options);
    this.name = 'StoreError';
  }
}

/** A safety gate refused to act (chaos approval, unhealthy steady state). */
export class GateError extends ShopfdsError {
  constructor(code: string, message: string, options: ShopfdsErrorOptions = {}) {
    super(code, ExitCode.failed, message, options);
    this.name = 'GateError';
  }
}

/** The user or a timeout stopped the run. */
export class InterruptedError extends ShopfdsError {
  constructor(signal: 'SIGINT' | 'SIGTERM', message = `interrupted by ${signal}`) {
    super(ERROR_CODES.interrupted, signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm, message);
    this.name = 'InterruptedError';
  }
}

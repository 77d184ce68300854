import type { Command } from 'commander';
import { Option } from './commander.js';

/*
 * Options as data (STYLE.md section 6). Each run command is an option table plus a registry name
 * (run-commands.ts); one normalize step resolves every option as flag > environment > config file > default.
 * Commander gets no defaults, so "not given" stays visible until normalizeOptions.
 * Loads nothing heavy: `--help` builds the commands from these tables.
 */

export interface OptionSpec {
  /** The request field (commander's attribute name of `flags`). */
  readonly key: string;
  /** Commander flags (`-n, --iteration-count <n>`); none for an option read only from config or environment. */
  readonly flags?: string;
  readonly description?: string;
  /** Environment variable that supplies the value when the flag is not given. */
  readonly env?: string;
  /** Dotted config-file key (`perf.intervalSec`) that supplies the value when neither flag nor environment does. */
  readonly config?: string;
  /** Turns the config file's value into the flag's form (seconds -> `2s`). */
  readonly fromConfig?: (value: unknown) => unknown;
  readonly choices?: readonly string[];
  /** Repeatable: `repeat` collects each use; `comma` also splits on commas. */
  readonly list?: 'repeat' | 'comma';
  readonly defaultValue?: unknown;
}

/** The options every run command shares, resolved. */
export interface SharedRunOptions {
  readonly env?: string;
  readonly baseUrl?: string;
  readonly name?: string;
  readonly runGroup?: string;
  readonly junit?: string;
  readonly markdown?: string;
  /** The self-contained HTML report to this file. */
  readonly html?: string;
  /** --timeout in milliseconds, where the command has it. */
  readonly timeoutMs?: number;
}

const ENVIRONMENT_CHOICES = ['local', 'staging', 'production'] as const;

/** The options every run command shares: one table, so each works on every run command. */
export const SHARED_RUN_OPTIONS: readonly OptionSpec[] = [
  { key: 'env', flags: '--env <environment>', description: 'environment the run is recorded for (default: SHOPFDS_ENV, config environment, else local)', choices: ENVIRONMENT_CHOICES, env: 'SHOPFDS_ENV', config: 'environment' },
  { key: 'baseUrl', flags: '--base-url <url>', description: 'system under test (default: config baseUrl, else the bundled demo shop is started)', config: 'baseUrl' },
  { key: 'name', flags: '--name <name>', description: 'run name shown in history and reports' },
  { key: 'runGroup', flags: '--run-group <key>', description: 'group shards or related runs into one logical run (default: the CI build id)' },
  { key: 'junit', flags: '--junit <file>', description: 'also write a JUnit XML report to this file' },
  { key: 'markdown', flags: '--markdown <file>', description: 'also write a Markdown summary (e.g. "$GITHUB_STEP_SUMMARY")' },
  { key: 'html', flags: '--html <file>', description: 'also write the self-contained HTML report (charts, failures, screenshots) to this file' },
];

/** `--timeout`, shared by the commands where a run-level time limit applies. */
export const TIMEOUT_OPTION: OptionSpec = { key: 'timeout', flags: '--timeout <duration>', description: 'stop the run after this long (90s, 5m, 1h30m)' };

export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
/** A repeatable flag that also splits on commas: `--tag a --tag b` or `--tag a,b`. */
export const collectComma = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** Adds an option table to a command. */
export function addOptionTable(cmd: Command, table: readonly OptionSpec[]): Command {
  for (const spec of table) {
    if (!spec.flags) continue;
    const option = new Option(spec.flags, spec.description ?? '');
    if (option.attributeName() !== spec.key) throw new Error(`option table: ${spec.flags} is read as "${option.attributeName()}", not "${spec.key}"`);
    if (spec.choices) option.choices(spec.choices);
    if (spec.list === 'repeat') option.argParser(collect);
    if (spec.list === 'comma') option.argParser(collectComma);
    cmd.addOption(option);
  }
  return cmd;
}

/** Reads a dotted key out of the config file's values. */
export function configValue(config: unknown, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Where normalizeOptions looks after the flags. */
export interface OptionSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: unknown;
}

/** The one normalize step: flag > environment > config file > default, for every option of the tables. */
export function normalizeOptions(tables: readonly (readonly OptionSpec[])[], flags: Readonly<Record<string, unknown>>, sources: OptionSources): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const table of tables) {
    for (const spec of table) {
      let value = flags[spec.key];
      if (value === undefined && spec.env !== undefined) {
        const fromEnv = sources.env[spec.env];
        if (fromEnv !== undefined && fromEnv !== '') value = spec.list ? [fromEnv] : fromEnv;
      }
      if (value === undefined && spec.config !== undefined) {
        const fromConfig = configValue(sources.config, spec.config);
        if (fromConfig !== undefined) value = spec.fromConfig ? spec.fromConfig(fromConfig) : fromConfig;
      }
      if (value === undefined) value = spec.defaultValue;
      if (value !== undefined) out[spec.key] = value;
    }
  }
  return out;
}

/** The shared part of normalized options. */
export function sharedOptionsOf(values: Readonly<Record<string, unknown>>, timeoutMs?: number): SharedRunOptions {
  const pick = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  return {
    env: pick('env'),
    baseUrl: pick('baseUrl'),
    name: pick('name'),
    runGroup: pick('runGroup'),
    junit: pick('junit'),
    markdown: pick('markdown'),
    html: pick('html'),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
}

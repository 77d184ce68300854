import type { Command as CommandType, Option as OptionType } from 'commander';
import type { ActionFn, CliIo, CommandContext } from '../context.js';
import type { Runner } from '../program.js';

/*
 * A plan's run steps are the CLI's own commands: a step `e2e: { paths: [...], retries: 0 }` becomes the
 * command line `e2e <paths> --retries 0`, checked and parsed by the same commander definitions, and its
 * action runs in-process with a child context. Every command that stores a run (and every tool added
 * to the registry later) is a plan step without code here.
 */

/** The command path a step kind runs. */
const COMMAND_PATHS: Readonly<Record<string, readonly string[]>> = {
  chaos: ['chaos', 'run'],
  canary: ['canary', 'watch'],
};

/** Names a step may use for a command's positional argument. */
const ARGUMENT_ALIASES: Readonly<Record<string, string>> = {
  path: 'paths',
  collection: 'collections',
  file: 'files',
  experiment: 'name',
  canary: 'name',
};

const NULL_STREAM = { write: () => true };

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The leaf commander command for a command path (`['chaos', 'run']`), defined without running anything. */
async function leafCommand(io: CliIo, path: readonly string[]): Promise<CommandType | null> {
  const { createProgram } = await import('../program.js');
  const noop: Runner = () => async () => {};
  const program = await createProgram(io, noop, [...path]);
  let cmd: CommandType | undefined = program;
  for (const word of path) {
    cmd = (cmd.commands as CommandType[]).find((c) => c.name() === word || c.aliases().includes(word));
    if (!cmd) return null;
  }
  return cmd;
}

export interface StepArgv {
  readonly argv: readonly string[];
  /** The long options the command accepts (`--base-url`, `--env`, ...). */
  readonly accepts: ReadonlySet<string>;
}

/**
 * The command line of a run step. `options` are the step's options by flag name (`base-url`), option
 * name (`baseUrl`) or positional argument name (`paths`, `collections`, `script`); unknown names are
 * problems, returned rather than thrown so `plan validate` lists them all.
 */
export async function stepArgv(
  io: CliIo,
  command: string,
  options: Readonly<Record<string, unknown>> | null,
  rest: readonly string[] | null,
): Promise<{ ok: true; value: StepArgv } | { ok: false; problems: string[] }> {
  const path = COMMAND_PATHS[command] ?? [command];
  const cmd = await leafCommand({ ...io, stdout: NULL_STREAM, stderr: NULL_STREAM }, path);
  if (!cmd) return { ok: false, problems: [`"${command}" is not a shopfds-test command`] };
  const opts = cmd.options as readonly OptionType[];
  const accepts = new Set(opts.map((o) => o.long).filter((l): l is string => Boolean(l)));
  if (rest) return { ok: true, value: { argv: [...path, ...rest], accepts } };
  const positional: string[] = [];
  const flags: string[] = [];
  const problems: string[] = [];
  const args = cmd.registeredArguments;
  const given = { ...(options ?? {}) };
  for (const arg of args) {
    const name = arg.name();
    const key = Object.keys(given).find((k) => k === name || ARGUMENT_ALIASES[k] === name);
    if (key === undefined) {
      if (arg.required) problems.push(`${path.join(' ')} needs "${name}"`);
      continue;
    }
    const value = given[key];
    delete given[key];
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined).map(String);
    if (!arg.variadic && values.length > 1) problems.push(`"${key}" takes one value`);
    positional.push(...values);
  }
  for (const [key, value] of Object.entries(given)) {
    if (value === null || value === undefined) continue;
    const option = opts.find((o) => o.long === `--${kebab(key)}` || o.long === `--${key}` || o.attributeName() === camel(key));
    if (!option || !option.long) {
      problems.push(`${path.join(' ')} has no option "${key}"${args.length ? ` (its arguments: ${args.map((a) => a.name()).join(', ')})` : ''}`);
      continue;
    }
    if (value === true) {
      if (option.negate) problems.push(`"${key}: true" is the default; leave it out`);
      else if (option.isBoolean()) flags.push(option.long);
      else problems.push(`"${key}" takes a value`);
    } else if (value === false) {
      const negative = option.negate ? option : opts.find((o) => o.negate && o.long === `--no-${option.long!.slice(2)}`);
      if (negative?.long) flags.push(negative.long);
      else if (!option.isBoolean()) problems.push(`"${key}" takes a value`);
    } else {
      if (option.isBoolean()) {
        problems.push(`"${key}" is a switch: write true or false`);
        continue;
      }
      for (const v of Array.isArray(value) ? value : [value]) flags.push(option.long, String(v));
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { argv: [...path, ...positional, ...flags], accepts } };
}

/**
 * Checks a command line with commander's own parser (choices, required values, unknown options)
 * without running the action. Returns commander's message, or null when it parses.
 */
export async function checkStepArgv(io: CliIo, argv: readonly string[]): Promise<string | null> {
  const { createProgram } = await import('../program.js');
  const { CommanderError } = await import('../commander.js');
  let message = '';
  const capture = { write: (s: string) => ((message += s), true) };
  const noop: Runner = () => async () => {};
  const program = await createProgram({ ...io, stdout: NULL_STREAM, stderr: capture }, noop, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return null;
  } catch (error) {
    if (error instanceof CommanderError) return (message.trim().split('\n')[0] ?? error.message).replace(/^shopfds-test: (error: )?/, '');
    throw error;
  }
}

/** Runs a command line's action in-process with the given context. Returns its exit code; errors propagate. */
export async function runStepArgv(ctx: CommandContext, argv: readonly string[]): Promise<number> {
  const { createProgram } = await import('../program.js');
  let exitCode = 0;
  const runner: Runner = (load) =>
    async (...args: unknown[]) => {
      const action = (await load()) as ActionFn<unknown[]>;
      exitCode = await action(ctx, ...args.slice(0, -1));
    };
  let message = '';
  const capture = { write: (chunk: string) => ((message += chunk), true) };
  const program = await createProgram({ ...ctx.io, stderr: capture }, runner, argv);
  const { CommanderError } = await import('../commander.js');
  const { UsageError } = await import('../../model/index.js');
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    // The command line was checked before the plan started; a value only known now (an interpolated path) can still be refused.
    if (error instanceof CommanderError) throw new UsageError((message.trim().split('\n')[0] || error.message).replace(/^shopfds-test: (error: )?/, ''));
    throw error;
  }
  return exitCode;
}

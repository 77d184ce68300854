import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError, ERROR_CODES, UsageError } from '../../model/index.js';
import { ChaosExperimentFileSchema, resolveExperiment, type ResolvedExperiment } from './experiment-file.js';

export interface LoadedExperiments {
  readonly dir: string;
  readonly experiments: readonly ResolvedExperiment[];
}

/** YAML files of a directory (or one file), sorted. */
function experimentFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`no experiment directory or file at ${path}`, { hint: 'Pass --dir, or set chaos.experiments in shopfds.config.' });
  }
  if (stat.isFile()) return [path];
  return readdirSync(path)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((f) => join(path, f));
}

/**
 * Loads and validates every experiment file. All problems are collected and reported together as
 * `file: path.to.key: message` (exit 2); names must be unique across files.
 */
export async function loadExperiments(cwd: string, dir: string): Promise<LoadedExperiments> {
  const { parse } = await import('yaml');
  const root = resolve(cwd, dir);
  const issues: string[] = [];
  const experiments: ResolvedExperiment[] = [];
  const seen = new Map<string, string>();
  for (const file of experimentFiles(root)) {
    const shown = relative(cwd, file) || file;
    let raw: unknown;
    try {
      raw = parse(readFileSync(file, 'utf8'));
    } catch (error) {
      issues.push(`${shown}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = ChaosExperimentFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) issues.push(`${shown}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
      continue;
    }
    const other = seen.get(parsed.data.name);
    if (other) {
      issues.push(`${shown}: name: "${parsed.data.name}" is already used by ${other}`);
      continue;
    }
    seen.set(parsed.data.name, shown);
    experiments.push(resolveExperiment(shown, parsed.data));
  }
  if (issues.length) throw new ConfigError(issues, { hint: 'Fix the experiment files above ("shopfds-test chaos validate" checks them).', code: ERROR_CODES.usage });
  return { dir: root, experiments };
}

/** Finds one experiment by its name (or file base name). */
export function findExperiment(loaded: LoadedExperiments, name: string): ResolvedExperiment {
  const found =
    loaded.experiments.find((e) => e.definition.name === name) ??
    loaded.experiments.find((e) => e.file.replace(/^.*\//, '').replace(/\.ya?ml$/i, '') === name);
  if (!found) {
    const names = loaded.experiments.map((e) => e.definition.name);
    throw new UsageError(`no chaos experiment named "${name}"`, {
      hint: names.length ? `Known experiments: ${names.join(', ')}` : `No experiment files in ${loaded.dir}.`,
    });
  }
  return found;
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { LineCounter, isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigError, ERROR_CODES, UsageError } from '../../model/index.js';
import { EXPECTED_RESULT_TYPES, STEP_ACTIONS, ScenarioFileSchema, formatIssuePath, type LoadedScenario } from './scenario.js';
import { decodeText } from '../../model/index.js';

const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Playwright's default testMatch, plus what users pass by hand. */
const SPEC_PATTERN = /\.(spec|test)\.(m|c)?[jt]sx?$/;

export function isScenarioFile(file: string): boolean {
  return SCENARIO_EXTENSIONS.has(extname(file).toLowerCase());
}

export function isSpecFile(file: string): boolean {
  return SPEC_PATTERN.test(file);
}

export interface ScenarioLoadResult {
  readonly scenarios: readonly LoadedScenario[];
  /** Every problem as `file: scenario-name: path.to.field: message`. */
  readonly issues: readonly string[];
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/**
 * The scenario files under the given paths. A directory contributes the scenario files directly in
 * it (not its subdirectories: `scenarios/chaos/` holds chaos experiments, not E2E scenarios).
 */
export function findScenarioFiles(cwd: string, paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const given of paths) {
    const abs = resolve(cwd, given);
    if (!existsSync(abs)) {
      missing.push(given);
      continue;
    }
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) {
        const file = join(abs, name);
        if (isScenarioFile(name) && statSync(file).isFile()) files.push(file);
      }
    } else files.push(abs);
  }
  return { files: [...new Set(files)], missing };
}

/** The value at a path inside parsed data (undefined when the path does not exist). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}

function issueMessage(issue: z.core.$ZodIssue, entry: unknown): { path: readonly PropertyKey[]; message: string } {
  const path = issue.path;
  const last = path[path.length - 1];
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  if (issue.code === 'invalid_union' && last === 'action') {
    return { path, message: `must be one of ${STEP_ACTIONS.join(', ')}` };
  }
  if (issue.code === 'invalid_union' && last === 'type' && path[0] === 'expected_results') {
    return { path, message: `must be one of ${EXPECTED_RESULT_TYPES.join(', ')}` };
  }
  if (issue.code === 'invalid_union' && typeof last === 'number' && (path[0] === 'steps' || path[0] === 'expected_results')) {
    const key = path[0] === 'steps' ? 'action' : 'type';
    const allowed = path[0] === 'steps' ? STEP_ACTIONS : EXPECTED_RESULT_TYPES;
    return { path: [...path, key], message: `required: one of ${allowed.join(', ')}` };
  }
  if (issue.code === 'invalid_type') {
    const given = valueAt(entry, path);
    if (given === undefined) return { path, message: 'required' };
    const expected = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`;
    return { path, message: `expected ${expected}, got ${typeName(given)}` };
  }
  return { path, message: issue.message };
}

/** Lines of a scenario's steps, then its expected results, from the YAML node tree. */
function stepLinesOf(contents: unknown, index: number, line: (offset: number) => number): (number | null)[] {
  // The same shapes as the entries: a list of scenarios, `scenarios:` with a list, or one scenario.
  let entry: unknown = contents;
  if (isSeq(contents)) entry = contents.items[index];
  else if (isMap(contents)) {
    const list: unknown = contents.get('scenarios', true);
    if (isSeq(list)) entry = list.items[index];
  }
  if (!isMap(entry)) return [];
  const out: (number | null)[] = [];
  for (const key of ['steps', 'expected_results']) {
    const list = entry.get(key, true);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const range = (item as YamlNode | null)?.range;
      out.push(range ? line(range[0]) : null);
    }
  }
  return out;
}

/** Parses one file's text; problems are collected, never thrown. */
export function parseScenarioText(
  file: string,
  text: string,
  defaults: { createdBy: string },
): { scenarios: LoadedScenario[]; issues: string[] } {
  const issues: string[] = [];
  const scenarios: LoadedScenario[] = [];
  let data: unknown;
  let lineOf: ((index: number) => (number | null)[]) | null = null;
  try {
    if (file.toLowerCase().endsWith('.json')) data = JSON.parse(text);
    else {
      const lines = new LineCounter();
      const doc = parseDocument(text, { lineCounter: lines });
      if (doc.errors.length) throw doc.errors[0]!;
      data = doc.toJS();
      lineOf = (index) => stepLinesOf(doc.contents, index, (offset) => lines.linePos(offset).line);
    }
  } catch (error) {
    issues.push(`${file}: (file): not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
    return { scenarios, issues };
  }
  let entries: unknown[];
  if (Array.isArray(data)) entries = data;
  else if (data && typeof data === 'object' && 'scenarios' in data && Array.isArray((data as { scenarios: unknown }).scenarios))
    entries = (data as { scenarios: unknown[] }).scenarios;
  else entries = [data];
  if (entries.length === 0) issues.push(`${file}: (file): holds no scenario`);
  entries.forEach((entry, index) => {
    const rawName = entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name.trim() : '';
    const label = rawName || (entries.length > 1 ? `scenario #${index + 1}` : '(unnamed)');
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      issues.push(`${file}: ${label}: (scenario): must be a mapping of scenario fields`);
      return;
    }
    const parsed = ScenarioFileSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const { path, message } = issueMessage(issue, entry);
        issues.push(`${file}: ${label}: ${formatIssuePath(path)}: ${message}`);
      }
      return;
    }
    scenarios.push({
      file,
      index,
      scenario: { ...parsed.data, created_by: parsed.data.created_by ?? defaults.createdBy },
      ...(lineOf ? { stepLines: lineOf(index) } : {}),
    });
  });
  return { scenarios, issues };
}

/**
 * Reads and validates every scenario file under `paths`. Names must be unique across all files
 * (the store upserts scenarios by name).
 */
export function loadScenarios(cwd: string, paths: readonly string[], defaults: { createdBy: string }): ScenarioLoadResult {
  const { files, missing } = findScenarioFiles(cwd, paths);
  const issues: string[] = missing.map((m) => `${m}: (file): no such file or directory`);
  const scenarios: LoadedScenario[] = [];
  const seen = new Map<string, string>();
  for (const abs of files) {
    const file = toPosix(relative(cwd, abs) || abs);
    let text: string;
    try {
      text = decodeText(readFileSync(abs));
    } catch (error) {
      issues.push(`${file}: (file): cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      continue;
    }
    const result = parseScenarioText(file, text, defaults);
    issues.push(...result.issues);
    for (const s of result.scenarios) {
      const other = seen.get(s.scenario.name);
      if (other !== undefined) {
        issues.push(`${file}: ${s.scenario.name}: name: duplicate scenario name (also in ${other})`);
        continue;
      }
      seen.set(s.scenario.name, file);
      scenarios.push(s);
    }
  }
  return { scenarios, issues };
}

/**
 * Loads scenario files (default `scenarios/`), refusing the whole set when any file has a problem
 * (a ConfigError listing each as file: scenario: field: message), or a UsageError when there are none.
 */
export function loadScenarioSet(cwd: string, paths: readonly string[], defaults: { createdBy: string; dir?: string }): { scenarios: readonly LoadedScenario[]; searched: string[] } {
  const searched = paths.length ? [...paths] : [defaults.dir ?? 'scenarios'];
  const result = loadScenarios(cwd, searched, { createdBy: defaults.createdBy });
  if (result.issues.length) {
    throw new ConfigError(result.issues, { hint: 'Scenario fields are described by "shopfds-test schema scenario".', code: ERROR_CODES.usage });
  }
  if (findScenarioFiles(cwd, searched).files.length === 0) {
    throw new UsageError(`no scenario files (*.yaml, *.yml, *.json) in ${searched.join(', ')}`);
  }
  return { scenarios: result.scenarios, searched };
}

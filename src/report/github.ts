import { dirname, isAbsolute, join, relative } from 'node:path';
import { isFailure, type Case, type Run } from '../model/index.js';
import { casePath, stripAnsi } from './format.js';

/*
 * GitHub Actions workflow commands for failed cases: `::error file=...,line=...,title=...::message`.
 * GitHub shows them on the pull request's changed files. Pure: the same run and directory give the
 * same lines.
 */

/** Escaping of a workflow command's message (GitHub's toolkit `escapeData`). */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a workflow command's property value (GitHub's toolkit `escapeProperty`). */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

interface Where {
  readonly file: string;
  readonly line: number | null;
  readonly col: number | null;
}

/**
 * Where a failed case points: the error location (a spec's file:line:col, or the scenario file and the
 * line of the failed step), else the test's own file and line. Spec files are stored relative to the
 * Playwright config's directory; `metadata.playwright_config` puts them back under the repository.
 */
function whereOf(run: Run, c: Case, cwd: string): Where | null {
  let file = c.file;
  let line = c.line;
  let col = c.column;
  const loc = c.properties.error_location ? /^(.*?):(\d+)(?::(\d+))?$/.exec(c.properties.error_location) : null;
  if (loc) {
    file = loc[1]!;
    line = Number(loc[2]);
    col = loc[3] ? Number(loc[3]) : null;
  }
  if (!file) return null;
  const config = run.metadata.playwright_config;
  if (config && !c.properties.scenario && !isAbsolute(file)) file = join(dirname(config), file);
  if (isAbsolute(file)) file = relative(cwd, file);
  return { file: file.replace(/\\/g, '/'), line, col };
}

/** One `::error` line per failed case (timed out and interrupted included), in case order. */
export function githubAnnotations(run: Run, options: { cwd: string }): string[] {
  const out: string[] = [];
  for (const c of run.cases) {
    if (!isFailure(c)) continue;
    const where = whereOf(run, c, options.cwd);
    const props: string[] = [];
    if (where) {
      props.push(`file=${escapeProperty(where.file)}`);
      if (where.line !== null) props.push(`line=${where.line}`);
      if (where.col !== null) props.push(`col=${where.col}`);
    }
    props.push(`title=${escapeProperty(casePath(c) + (c.project ? ` [${c.project}]` : ''))}`);
    const message = stripAnsi(c.errorMessage ?? c.status).trim();
    out.push(`::error ${props.join(',')}::${escapeData(message)}`);
  }
  return out;
}

import stringWidth from 'string-width';
import { isFailure, isQuarantined, mapStrings, type Artifact, type Case, type CaseStatus, type Run } from '../model/index.js';

/*
 * Small formatting helpers shared by the text renderers. Everything here is a pure function of its
 * input: no clocks, no locale, so a stored run re-renders to the same text it printed live.
 */

/** `1.2s`, `850ms`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSec = Math.round(ms / 1000);
  if (totalSec < 3600) return `${Math.floor(totalSec / 60)}m ${String(totalSec % 60).padStart(2, '0')}s`;
  const totalMin = Math.floor(totalSec / 60);
  return `${Math.floor(totalMin / 60)}h ${String(totalMin % 60).padStart(2, '0')}m`;
}

/** Suites and name joined the way Playwright shows a test: `file › describe › title`. */
export function casePath(c: Pick<Case, 'suitePath' | 'name'>): string {
  return c.suitePath.length ? `${c.suitePath.join(' › ')} › ${c.name}` : c.name;
}

/** The first non-empty line of a message, without ANSI colour codes. */
export function firstLine(text: string | null | undefined): string {
  if (!text) return '';
  const clean = stripAnsi(text);
  for (const line of clean.split(/\r?\n/)) {
    const t = line.trim();
    if (t) return t;
  }
  return '';
}

// Playwright and k6 put terminal colour codes into error messages.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ANSI, '') : text;
}

/** Terminal columns the text takes: wide (Korean, CJK, emoji) characters count 2, ANSI codes 0. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Shortens to `max` terminal columns with an ellipsis, never splitting a character. */
export function truncate(text: string, max: number): string {
  if (max <= 0) return '';
  if (text.length <= max && stringWidth(text) <= max) return text;
  if (stringWidth(text) <= max) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > max - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** Pads to `width` terminal columns, on the right (or the left for numbers). */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - stringWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/**
 * Breaks a line into pieces of at most `width` terminal columns, at spaces where it can, inside a word
 * where it must. Nothing is dropped: the pieces joined give the text back (less the breaking spaces).
 */
export function wrapLine(text: string, width: number): string[] {
  if (width <= 0 || stringWidth(text) <= width) return [text];
  const out: string[] = [];
  let line = '';
  let used = 0;
  const flush = () => {
    out.push(line.trimEnd());
    line = '';
    used = 0;
  };
  for (const word of text.split(/(?<= )/)) {
    const w = stringWidth(word);
    if (used + stringWidth(word.trimEnd()) <= width) {
      line += word;
      used += w;
      continue;
    }
    if (used > 0) flush();
    if (w <= width) {
      line = word;
      used = w;
      continue;
    }
    for (const { segment } of segmenter.segment(word)) {
      const sw = stringWidth(segment);
      if (used + sw > width && used > 0) flush();
      line += segment;
      used += sw;
    }
  }
  if (line.trim() || !out.length) out.push(line.trimEnd());
  return out;
}

/** Display label of a case status. */
export function statusLabel(status: CaseStatus): string {
  return status === 'timed_out' ? 'timed out' : status;
}

/** A case's status as reports show it: a quarantined failure says so. */
export function caseStatusLabel(c: Pick<Case, 'status' | 'properties'>): string {
  return isQuarantined(c) && isFailure(c) ? `${statusLabel(c.status)} (quarantined)` : statusLabel(c.status);
}

/** The line that explains quarantined failures, or null when the run has none. */
export function quarantineNote(run: Pick<Run, 'cases'>): string | null {
  const n = run.cases.filter((c) => isFailure(c) && isQuarantined(c)).length;
  if (!n) return null;
  return `${n} failure${n === 1 ? ' is' : 's are'} quarantined: stored and reported, but they do not fail the exit code`;
}

/** The tool as `name version`, or just the name. */
export function toolLabel(run: Pick<Run, 'tool'>): string {
  return run.tool.version ? `${run.tool.name} ${run.tool.version}` : run.tool.name;
}

/** The failing or flaky cases, failures first (stable within each group). */
export function problemCases(run: Pick<Run, 'cases'>): Case[] {
  const failed: Case[] = [];
  const flaky: Case[] = [];
  for (const c of run.cases) {
    if (c.status === 'failed' || c.status === 'timed_out' || c.status === 'interrupted') failed.push(c);
    else if (c.status === 'flaky') flaky.push(c);
  }
  return [...failed, ...flaky];
}

/** Number formatting without locale: at most `digits` decimals, trailing zeros dropped. */
export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  const fixed = value.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** A value or `-` when unknown. */
export function orDash<T>(value: T | null | undefined, show: (v: T) => string = String): string {
  return value === null || value === undefined ? '-' : show(value);
}

export function artifactLine(a: Artifact): string {
  return `${a.kind.padEnd(10)} ${a.path}`;
}

/** ANSI escape sequences: CSI (colours, cursor moves), OSC (titles, hyperlinks) and single-character escapes. */
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;
/** Control characters other than newline and tab, and the Unicode bidi overrides that reorder what a reader sees. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes text from a run safe to print to a terminal or a Markdown file: escape sequences from the
 * tool (colours, cursor moves, window titles) are dropped, and every other control character is
 * shown as a visible escape (`\x07`, `\r`, `\u202e`) instead of reaching the terminal raw.
 */
export function escapeControl(text: string): string {
  let out = text;
  if (/[\u001b\u009b]/.test(out)) out = out.replace(ESCAPE_SEQUENCE, '');
  if (!CONTROL.test(out)) return out;
  CONTROL.lastIndex = 0;
  return out.replace(CONTROL, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === '\r') return '\\r';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The run with {@link escapeControl} applied to every string (record keys included), for the text renderers. */
export function terminalSafeRun(run: Run): Run {
  return mapStrings(run, escapeControl, true);
}

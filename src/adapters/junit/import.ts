import { basename, extname, isAbsolute, relative } from 'node:path';
import {
  RUN_KINDS,
  UsageError,
  makeCase,
  makeRun,
  type Artifact,
  type ArtifactKind,
  type Attempt,
  type Case,
  type CaseStatus,
  type RunInput,
  type RunKind,
} from '../../model/index.js';
import type { ImportBase, Importer } from '../import-types.js';
import { textChunks } from '../text-file.js';

/*
 * A lenient reader for the JUnit XML real tools write (see shared/reference/junit/FORMAT.md): no
 * attribute is required, times are decimal seconds, and tool conventions are recognised:
 * - Playwright: `hostname` is the project, testcase names are `Describe › title`, classname is the
 *   file, attachments are `[[ATTACHMENT|path]]` lines in system-out, annotations are properties;
 * - Newman: one testsuite per request, failure text in several CDATA blocks ("Failed 2 times.",
 *   "Error message: ..."), request errors in the testsuite's system-err;
 * - Surefire reruns: flakyFailure/flakyError (failed, then passed) and rerunFailure/rerunError;
 * - our own renderer: run metadata as `shopfds.*` testsuite properties and the run-level error
 *   testcase, so `report --format junit` output imports back to the same run.
 */

/** Classname our JUnit renderer gives the testcase that carries a run-level error. */
const RUN_ERROR_CLASSNAME = 'shopfds-test.run';
const OWN_PREFIX = 'shopfds.';
/** Captured output kept per case. */
const MAX_OUTPUT = 64 * 1024;

type Attrs = Record<string, string>;
interface XmlNode {
  $?: Attrs;
  '#text'?: string;
  [child: string]: unknown;
}

/** A test case's result and output elements: each may repeat, and the importer reads their text. */
const RESULT_ELEMENTS = ['failure', 'error', 'skipped', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError', 'system-out', 'system-err'] as const;

const ARRAY_ELEMENTS = new Set<string>(['testsuite', 'testcase', 'properties', 'property', ...RESULT_ELEMENTS]);

type Tool = 'playwright' | 'newman' | 'shopfds' | 'junit';

/** The path as the user likely typed it: relative to the working directory when inside it. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function describeJson(text: string): string {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (value && typeof value === 'object') {
      if ('collection' in value && 'run' in value) return "; this is Newman's JSON report, import it with --format newman-json";
      if ('suites' in value && 'config' in value) return "; this is Playwright's JSON report, import it with --format playwright-json";
      if ('metrics' in value && ('root_group' in value || 'state' in value)) return "; this is a k6 summary, import it with --format k6-summary";
    }
  } catch {
    // Not even valid JSON: the generic message is enough.
  }
  return '';
}

/** Elements deeper than this are refused: a hostile file must not exhaust the stack. */
export const MAX_XML_DEPTH = 1000;
/** Characters of an element's text kept from its start, and from its end, when it is longer. */
const KEEP_HEAD = 32 * 1024;
const KEEP_TAIL = 32 * 1024;
/** Elements whose text the importer reads; any other text (indentation) is dropped as it streams by. */
const TEXT_ELEMENTS = new Set<string>([...RESULT_ELEMENTS, 'property', 'stackTrace']);
/** Entities HTML-minded tools write into JUnit (XML's own five are built in). */
const HTML_ENTITIES: Record<string, string> = { nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae', hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', laquo: '\u00ab', raquo: '\u00bb', times: '\u00d7', middot: '\u00b7', bull: '\u2022', rsaquo: '\u203a', lsaquo: '\u2039' };

/**
 * An element's text, bounded: the first {@link KEEP_HEAD} and last {@link KEEP_TAIL} characters
 * are kept and the middle is counted, so a 20 MB `<system-out>` costs 64 KB however it streams in.
 */
class BoundedText {
  private head = '';
  private tail = '';
  private cut = 0;
  add(chunk: string): void {
    let text = chunk;
    if (this.head.length < KEEP_HEAD) {
      const room = KEEP_HEAD - this.head.length;
      this.head += text.length > room ? text.slice(0, room) : text;
      if (text.length <= room) return;
      text = text.slice(room);
    }
    this.tail += text;
    if (this.tail.length > 2 * KEEP_TAIL) {
      this.cut += this.tail.length - KEEP_TAIL;
      this.tail = this.tail.slice(-KEEP_TAIL);
    }
  }
  value(source: string): string {
    if (this.tail.length > KEEP_TAIL) {
      this.cut += this.tail.length - KEEP_TAIL;
      this.tail = this.tail.slice(-KEEP_TAIL);
    }
    // Copied out of the parser's chunks, which would otherwise stay alive through sliced strings.
    const whole = this.cut ? `${this.head}\n${cutMarker(this.cut, source)}\n${this.tail}` : this.head + this.tail;
    return whole.length < 64 ? whole : Buffer.from(whole, 'utf8').toString('utf8');
  }
}

function cutMarker(cut: number, source: string): string {
  return `[... ${cut} characters cut; the full output is in ${source}]`;
}

interface Frame {
  readonly name: string;
  readonly node: XmlNode;
  text: BoundedText | null;
}

const CUT = /\[\.\.\. (\d+) characters cut; the full output is in /;

/**
 * Streams JUnit XML through a SAX parser (saxes) into the small tree the importer reads: attributes,
 * the text of the elements it uses (bounded per element, see {@link BoundedText}), and children.
 * External entities are never fetched and DTD entities never expanded; nesting deeper than
 * {@link MAX_XML_DEPTH} is refused. Throws a UsageError naming `label` when it is not JUnit XML.
 */
export async function readJunitXml(chunks: AsyncIterable<string> | Iterable<string>, label: string): Promise<{ root: 'testsuites' | 'testsuite'; node: XmlNode }> {
  const { SaxesParser } = await import('saxes');
  const parser = new SaxesParser({ xmlns: false, position: true });
  Object.assign(parser.ENTITIES, HTML_ENTITIES);
  const expected = 'expected a <testsuites> or <testsuite> root element';
  const stack: Frame[] = [];
  let root: Frame | null = null;
  let failure: UsageError | null = null;
  const fail = (error: UsageError) => {
    failure ??= error;
  };
  parser.on('error', (error) => {
    // Real tools write undefined HTML entities, raw control characters and `&#0;`: keep going (the
    // text is kept as written, then normalized before it is stored).
    if (/undefined entity|disallowed character|malformed character entity/.test(error.message)) return;
    const where = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/.exec(error.message);
    fail(new UsageError(`${label}: malformed XML at line ${where ? where[1] : parser.line}: ${(where ? where[3]! : error.message).replace(/\s+/g, ' ').trim()} (expected JUnit XML)`));
  });
  parser.on('opentag', (tag) => {
    if (failure) return;
    const name = tag.name;
    if (!root && stack.length === 0) {
      if (name !== 'testsuites' && name !== 'testsuite') {
        fail(new UsageError(`${label}: not JUnit XML (the root element is <${name}>; ${expected})`));
        return;
      }
    }
    if (stack.length >= MAX_XML_DEPTH) {
      fail(new UsageError(`${label}: elements nested more than ${MAX_XML_DEPTH} deep; not a JUnit report this tool can read`));
      return;
    }
    const attrs: Attrs = {};
    let any = false;
    for (const key in tag.attributes) {
      const value = tag.attributes[key] as string;
      attrs[key] = value.length < 64 ? value : Buffer.from(value, 'utf8').toString('utf8');
      any = true;
    }
    const node: XmlNode = any ? { $: attrs } : {};
    const parent = stack[stack.length - 1];
    if (parent) {
      const existing = parent.node[name];
      if (existing === undefined) parent.node[name] = ARRAY_ELEMENTS.has(name) ? [node] : node;
      else if (Array.isArray(existing)) existing.push(node);
      else parent.node[name] = [existing, node];
    }
    const frame: Frame = { name, node, text: TEXT_ELEMENTS.has(name) ? new BoundedText() : null };
    if (!root) root = frame;
    stack.push(frame);
  });
  const onText = (text: string) => {
    const frame = stack[stack.length - 1];
    if (frame?.text) frame.text.add(text);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (failure) return;
    const frame = stack.pop();
    if (frame?.text) {
      const text = frame.text.value(label);
      if (text) frame.node['#text'] = text;
    }
  });

  let sawContent = false;
  let first = '';
  for await (const chunk of chunks) {
    if (!sawContent) {
      first += chunk;
      const trimmed = first.replace(/^\uFEFF/, '').trimStart();
      if (!trimmed) continue;
      sawContent = true;
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        throw new UsageError(`${label}: not JUnit XML (it is JSON; ${expected})${describeJson(trimmed)}`);
      }
      parser.write(first.replace(/^\uFEFF/, ''));
      first = '';
    } else parser.write(chunk);
    if (failure) throw failure;
  }
  if (!sawContent) throw new UsageError(`${label}: not JUnit XML (the file is empty; ${expected})`);
  parser.close();
  if (failure) throw failure;
  if (!root) throw new UsageError(`${label}: not JUnit XML (no root element; ${expected})`);
  const top = root as Frame;
  return { root: top.name as 'testsuites' | 'testsuite', node: top.node };
}

/** Parses JUnit XML text (see {@link readJunitXml}). */
export async function parseJunitXml(text: string, label: string): Promise<{ root: 'testsuites' | 'testsuite'; node: XmlNode }> {
  return readJunitXml([text], label);
}

function asNode(value: unknown): XmlNode {
  if (value && typeof value === 'object') return value as XmlNode;
  // An element with only text (or nothing) comes back as a string.
  return { '#text': typeof value === 'string' ? value : '' };
}

function children(node: XmlNode, name: string): XmlNode[] {
  const value = node[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(asNode);
}

function attr(node: XmlNode, name: string): string | undefined {
  return node.$?.[name];
}

function textOf(node: XmlNode): string {
  const own = node['#text'] ?? '';
  // Surefire 2.22.1+ puts the rerun's stack trace into a child element.
  const stack = node.stackTrace;
  if (stack !== undefined) return `${own}${textOf(asNode(stack))}`;
  return own;
}

/** Removes the common indentation tools add around CDATA blocks and trims blank edges. */
function tidy(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  return lines.map((l) => l.replace(/\s+$/, '')).join('\n');
}

function dedent(text: string): string {
  const lines = text.split('\n');
  let indent = Infinity;
  for (const l of lines) if (l.trim()) indent = Math.min(indent, /^[ \t]*/.exec(l)![0].length);
  return indent > 0 && indent !== Infinity ? lines.map((l) => l.slice(indent)).join('\n') : text;
}

/** Output kept per case: the head and the tail, with how much was cut in between. */
function cap(text: string, source: string): string {
  if (text.length <= MAX_OUTPUT + 200) return text;
  const head = text.slice(0, MAX_OUTPUT / 2);
  const tail = text.slice(-MAX_OUTPUT / 2);
  return `${head}\n${cutMarker(text.length - head.length - tail.length, source)}\n${tail}`;
}

/** Characters cut from a case's stored output (by the reader and by {@link cap}). */
function charactersCut(...texts: (string | null)[]): number {
  let total = 0;
  for (const t of texts) if (t) for (const m of t.matchAll(new RegExp(CUT.source, 'g'))) total += Number(m[1]);
  return total;
}

/**
 * A `time` attribute in milliseconds. Decimal commas (`1,5`, as some locales write) are read as
 * decimals; thousands separators (`1,234.5`) are dropped. A time that is negative, NaN, infinite or
 * not a number is an error: silently reading it as 0 would hide a broken report.
 */
function seconds(value: string | undefined, millis: boolean, source: string): number | null {
  if (value === undefined || !value.trim()) return null;
  let v = value.trim();
  if (v.includes(',')) v = !v.includes('.') && /^[-+]?\d+,\d+$/.test(v) ? v.replace(',', '.') : v.replace(/,/g, '');
  const n = Number.parseFloat(v);
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`${source}: time="${value}" is not a duration (expected a non-negative number of ${millis ? 'milliseconds' : 'seconds'})`);
  }
  // Rounded to microseconds so 24.485797 s does not become 24485.797000000002 ms.
  return Math.round((millis ? n : n * 1000) * 1000) / 1000;
}

function parseTimestamp(value: string | undefined): number | null {
  if (!value) return null;
  const v = value.trim();
  // Surefire and Ant write local times without a zone; read them as UTC rather than as this machine's zone.
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(v) ? v : `${v}Z`;
  const t = Date.parse(withZone);
  return Number.isFinite(t) ? t : null;
}

interface Flat {
  readonly suitePath: string[];
  readonly suite: XmlNode;
  readonly testcase: XmlNode;
}

function walk(suite: XmlNode, path: string[], out: Flat[]): void {
  const name = attr(suite, 'name')?.trim();
  const here = name ? [...path, name] : path;
  for (const tc of children(suite, 'testcase')) out.push({ suitePath: here, suite, testcase: tc });
  for (const inner of children(suite, 'testsuite')) walk(inner, here, out);
}

function allSuites(suites: XmlNode[]): XmlNode[] {
  return suites.flatMap((s) => [s, ...allSuites(children(s, 'testsuite'))]);
}

function suiteProperties(suite: XmlNode): [string, string][] {
  const out: [string, string][] = [];
  for (const block of children(suite, 'properties')) {
    for (const p of children(block, 'property')) {
      const name = attr(p, 'name');
      if (!name) continue;
      out.push([name, attr(p, 'value') ?? tidy(dedent(textOf(p)))]);
    }
  }
  return out;
}

function detectTool(rootNode: XmlNode, root: 'testsuites' | 'testsuite', suites: XmlNode[], flat: Flat[]): Tool {
  if (suites.some((s) => suiteProperties(s).some(([name]) => name === `${OWN_PREFIX}runId`))) return 'shopfds';
  // Playwright always writes id="" on the root (PLAYWRIGHT_JUNIT_SUITE_ID) and the project as hostname.
  if (root === 'testsuites' && attr(rootNode, 'id') !== undefined && suites.some((s) => attr(s, 'hostname') !== undefined)) return 'playwright';
  const failures = flat.flatMap((f) => [...children(f.testcase, 'failure'), ...children(f.testcase, 'error')]);
  if (failures.some((f) => attr(f, 'type') === 'AssertionFailure' || textOf(f).includes('Collection JSON ID:'))) return 'newman';
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (suites.length && suites.every((s) => uuid.test(attr(s, 'id') ?? '') && attr(s, 'hostname') === undefined)) return 'newman';
  // Without the root id: one testsuite per project x file, so every suite has a hostname and every
  // testcase's classname is its testsuite's name (the file).
  if (flat.length && suites.every((s) => attr(s, 'hostname') !== undefined) && flat.every((f) => attr(f.testcase, 'classname') === attr(f.suite, 'name'))) {
    return 'playwright';
  }
  return 'junit';
}

const CONTENT_TYPES: Record<string, [ArtifactKind, string]> = {
  '.png': ['screenshot', 'image/png'],
  '.jpg': ['screenshot', 'image/jpeg'],
  '.jpeg': ['screenshot', 'image/jpeg'],
  '.gif': ['screenshot', 'image/gif'],
  '.webp': ['screenshot', 'image/webp'],
  '.webm': ['video', 'video/webm'],
  '.mp4': ['video', 'video/mp4'],
  '.zip': ['other', 'application/zip'],
  '.txt': ['log', 'text/plain'],
  '.log': ['log', 'text/plain'],
  '.md': ['other', 'text/markdown'],
  '.json': ['report', 'application/json'],
  '.html': ['report', 'text/html'],
  '.xml': ['report', 'application/xml'],
};

function artifactFor(path: string): Artifact {
  const ext = extname(path.split(/[?#]/)[0]!).toLowerCase();
  const known = CONTENT_TYPES[ext];
  let kind: ArtifactKind = known?.[0] ?? 'other';
  if (ext === '.zip' && /trace/i.test(basename(path))) kind = 'trace';
  return { name: basename(path) || path, kind, contentType: known?.[1] ?? null, path, attempt: null };
}

interface OutputParts {
  readonly text: string;
  readonly attachments: string[];
  readonly properties: [string, string][];
}

/** Splits system-out into plain output, `[[ATTACHMENT|path]]` lines and `[[PROPERTY|...]]` entries. */
function splitOutput(raw: string): OutputParts {
  if (!raw.includes('[[')) return { text: raw, attachments: [], properties: [] };
  const attachments: string[] = [];
  const properties: [string, string][] = [];
  const kept: string[] = [];
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let rest = line.trim();
    let consumed = false;
    // A line may hold several markers (the testmo example ends "[[ATTACHMENT|a]]]]>").
    for (;;) {
      const att = /^\[\[ATTACHMENT\|([^\]]+)\]\]/.exec(rest);
      if (att) {
        attachments.push(att[1]!.trim());
        rest = rest.slice(att[0].length).trim();
        consumed = true;
        continue;
      }
      // Names may hold brackets (testmo's `step[passed]`), never `=`; the marker fills the line.
      const prop = /^\[\[PROPERTY\|([^=\n]+?)=(.*)\]\]$/.exec(rest);
      if (prop) {
        properties.push([prop[1]!.trim(), prop[2]!]);
        rest = rest.slice(prop[0].length).trim();
        consumed = true;
        continue;
      }
      const open = /^\[\[PROPERTY\|([^=\n]+)\]\]$/.exec(rest);
      if (open) {
        const end = lines.indexOf('[[/PROPERTY]]', i + 1);
        const endTrimmed = end === -1 ? lines.findIndex((l, j) => j > i && l.trim() === '[[/PROPERTY]]') : end;
        if (endTrimmed !== -1) {
          properties.push([open[1]!.trim(), lines.slice(i + 1, endTrimmed).join('\n')]);
          i = endTrimmed;
          rest = '';
          consumed = true;
        }
      }
      break;
    }
    if (!consumed) kept.push(line);
    else if (rest) kept.push(rest);
  }
  return { text: kept.join('\n'), attachments, properties };
}

/** Repeated names (several `step` properties) keep every distinct value, one per line. */
function joinProperty(props: Record<string, string>, name: string, value: string): void {
  const existing = props[name];
  if (existing === undefined) props[name] = value;
  else if (!existing.split('\n').includes(value)) props[name] = `${existing}\n${value}`;
}

function isTimeout(node: XmlNode): boolean {
  return /time[d ]?\s?out/i.test(`${attr(node, 'type') ?? ''} ${attr(node, 'message') ?? ''}`);
}

function isInterrupted(node: XmlNode): boolean {
  return /^interrupted$/i.test(attr(node, 'type') ?? '');
}

/** Message and stack of a failure-like element. Newman gives no message attribute, only text blocks. */
function describeFailure(node: XmlNode): { message: string | null; stack: string | null } {
  const text = tidy(dedent(textOf(node)));
  const stack = text || null;
  const given = attr(node, 'message');
  if (given && given.trim()) return { message: given, stack };
  const newman = /^\s*Error message: (.*)$/m.exec(text);
  if (newman) return { message: newman[1]!.replace(/\.$/, ''), stack };
  const first = text.split('\n').find((l) => l.trim());
  const type = attr(node, 'type');
  return { message: first?.trim() ?? (type ? type : null), stack };
}

function attemptFrom(index: number, status: Attempt['status'], durationMs: number, node: XmlNode | null): Attempt {
  const d = node ? describeFailure(node) : { message: null, stack: null };
  return { index, status, durationMs, startedAt: null, errorMessage: d.message, errorStack: d.stack };
}

interface CaseContext {
  readonly tool: Tool;
  readonly millis: boolean;
  /** The imported file, named where output was cut. */
  readonly source: string;
}

function buildCase(f: Flat, ordinal: number, ctx: CaseContext): Case {
  const tc = f.testcase;
  const rawName = attr(tc, 'name') ?? '';
  const classname = attr(tc, 'classname');
  let suitePath = f.suitePath;
  let name = rawName || '(unnamed)';
  // Playwright (and our renderer) join describe titles into the name with " › ".
  if ((ctx.tool === 'playwright' || ctx.tool === 'shopfds') && rawName.includes(' › ')) {
    const parts = rawName.split(' › ');
    name = parts.pop()!;
    suitePath = [...suitePath, ...parts];
  }
  const durationMs = seconds(attr(tc, 'time'), ctx.millis, ctx.source) ?? 0;

  const properties: Record<string, string> = {};
  const artifactPaths: string[] = [];
  for (const [key, value] of suiteProperties(tc)) {
    if (/^attachment\d*$/i.test(key) && value && !value.startsWith('data:')) artifactPaths.push(value);
    else joinProperty(properties, key, value);
  }
  const outputs: string[] = [];
  for (const out of children(tc, 'system-out')) {
    const parts = splitOutput(textOf(out));
    artifactPaths.push(...parts.attachments);
    for (const [key, value] of parts.properties) joinProperty(properties, key, value);
    if (parts.text.trim()) outputs.push(tidy(parts.text));
  }
  const errOut = children(tc, 'system-err')
    .map((e) => tidy(textOf(e)))
    .filter(Boolean)
    .join('\n');
  const artifacts = [...new Set(artifactPaths)].map(artifactFor);

  let file: string | null = attr(tc, 'file') ?? null;
  // shopfds-test's own JUnit carries file and line as properties (junit-10.xsd allows no attributes).
  let lineProperty: string | undefined;
  if (ctx.tool === 'shopfds') {
    if (!file && properties.file) file = properties.file;
    lineProperty = properties.line;
    delete properties.file;
    delete properties.line;
  }
  if (!file && (ctx.tool === 'playwright' || ctx.tool === 'shopfds') && classname) file = classname;
  if (ctx.tool !== 'playwright' && ctx.tool !== 'shopfds' && classname && classname !== suitePath[suitePath.length - 1]) {
    properties['junit.classname'] = classname;
  }
  const lineAttr = attr(tc, 'line') ?? lineProperty;
  const line = lineAttr !== undefined && /^\d+$/.test(lineAttr) ? Number(lineAttr) : null;

  const failures = children(tc, 'failure');
  const errors = children(tc, 'error');
  const skipped = children(tc, 'skipped');
  const flaky = [...children(tc, 'flakyFailure'), ...children(tc, 'flakyError')];
  const reruns = [...children(tc, 'rerunFailure'), ...children(tc, 'rerunError')];

  const rerunStatus = (n: XmlNode): Attempt['status'] => (isTimeout(n) ? 'timed_out' : 'failed');
  let status: CaseStatus;
  let plan: [Attempt['status'], XmlNode | null][];
  if (failures.length || errors.length) {
    const final = failures[0] ?? errors[0]!;
    status = failures.length ? 'failed' : isInterrupted(final) ? 'interrupted' : isTimeout(final) ? 'timed_out' : 'failed';
    plan = [...reruns.map((n) => [rerunStatus(n), n] as [Attempt['status'], XmlNode]), [status === 'failed' ? 'failed' : status, final]];
  } else if (flaky.length || reruns.length) {
    status = 'flaky';
    plan = [...[...flaky, ...reruns].map((n) => [rerunStatus(n), n] as [Attempt['status'], XmlNode]), ['passed', null]];
  } else if (skipped.length) {
    status = 'skipped';
    plan = [['skipped', null]];
    const reason = attr(skipped[0]!, 'message') ?? tidy(textOf(skipped[0]!));
    if (reason && !('skip' in properties)) properties.skip = reason;
  } else {
    status = 'passed';
    plan = [['passed', null]];
  }
  const share = durationMs / plan.length;
  const attempts = plan.map(([st, node], i) => attemptFrom(i, st, share, node));
  const last = attempts[attempts.length - 1]!;
  let errorMessage = status === 'flaky' || status === 'passed' || status === 'skipped' ? null : last.errorMessage;
  let errorStack = status === 'flaky' || status === 'passed' || status === 'skipped' ? null : last.errorStack;
  if (failures.length + errors.length > 1) {
    // Some tools write one <failure> per failed assertion of a test.
    const all = [...failures, ...errors].map(describeFailure);
    errorMessage = all.map((d) => d.message).filter(Boolean).join('\n') || errorMessage;
    errorStack = all.map((d) => d.stack).filter(Boolean).join('\n\n') || errorStack;
  }
  if (ctx.tool === 'newman' && failures.length) {
    // Newman folds iterations into one testcase and says how many of them failed.
    const times = /Failed (\d+) times?\./.exec(textOf(failures[0]!));
    if (times) properties.failedIterations = times[1]!;
  }
  const stdout = outputs.length ? cap(outputs.join('\n'), ctx.source) : null;
  const stderr = errOut ? cap(errOut, ctx.source) : null;
  const cut = charactersCut(stdout, stderr);
  if (cut) properties['output.cut'] = `${cut} characters of output cut (head and tail kept); the full output is in ${ctx.source}`;
  return makeCase({
    ordinal,
    suitePath,
    name,
    file,
    line,
    project: ctx.tool === 'playwright' || ctx.tool === 'shopfds' ? (attr(f.suite, 'hostname') ?? null) : null,
    status,
    durationMs,
    attempts,
    errorMessage,
    errorStack,
    artifacts,
    properties,
    stdout,
    stderr,
  });
}

/** Turns a parsed JUnit document into a run. Pure apart from nothing: exported for tests. */
export function junitDocumentToRun(parsed: { root: 'testsuites' | 'testsuite'; node: XmlNode }, file: string, base: ImportBase): RunInput {
  const { root, node } = parsed;
  const topSuites = root === 'testsuites' ? children(node, 'testsuite') : [node];
  const suites = allSuites(topSuites);
  const flat: Flat[] = [];
  for (const s of topSuites) walk(s, [], flat);
  const tool = detectTool(node, root, suites, flat);
  // Newman's 2016 reporter wrote milliseconds and no tests/failures counts.
  const millis = tool === 'newman' && suites.length > 0 && suites.every((s) => attr(s, 'tests') === undefined);
  const ctx: CaseContext = { tool, millis, source: displayPath(file) };

  const metadata: Record<string, string> = {};
  const own: Record<string, string> = {};
  for (const s of suites) {
    for (const [name, value] of suiteProperties(s)) {
      if (tool === 'shopfds' && (name.startsWith(OWN_PREFIX) || name.startsWith('ci.'))) {
        if (!(name in own)) own[name] = value;
      } else if (!(name in metadata)) metadata[name] = value;
    }
  }

  const cases: Case[] = [];
  let runError: string | null = null;
  for (const f of flat) {
    if (tool === 'shopfds' && attr(f.testcase, 'classname') === RUN_ERROR_CLASSNAME) {
      const err = children(f.testcase, 'error')[0];
      runError = err ? (tidy(textOf(err)) || attr(err, 'message') || 'run error') : 'run error';
      continue;
    }
    cases.push(buildCase(f, cases.length, ctx));
  }
  // Request and script errors Newman (and others) report on the testsuite, beyond the testcases.
  for (const s of suites) {
    const declared = Number.parseInt(attr(s, 'errors') ?? '0', 10);
    const errOut = children(s, 'system-err').map((e) => tidy(textOf(e))).filter(Boolean).join('\n');
    const inSuite = children(s, 'testcase').filter((tc) => children(tc, 'error').length).length;
    if (errOut && declared > inSuite) {
      const name = attr(s, 'name')?.trim() || '(unnamed)';
      const path = flat.find((f) => f.suite === s)?.suitePath ?? [name];
      const message = errOut.split('\n').find((l) => l.trim())!.trim();
      cases.push(makeCase({ ordinal: cases.length, suitePath: path, name: 'request error', status: 'failed', errorMessage: message, errorStack: errOut, stderr: cap(errOut, ctx.source) }));
    }
  }

  const starts = suites.map((s) => parseTimestamp(attr(s, 'timestamp'))).filter((t): t is number => t !== null);
  const startMs = starts.length ? Math.min(...starts) : Date.parse(base.importedAt);
  const rootTime = root === 'testsuites' ? seconds(attr(node, 'time'), millis, ctx.source) : null;
  const topTimes = topSuites.map((s) => seconds(attr(s, 'time'), millis, ctx.source));
  const durationMs =
    rootTime ??
    (topTimes.length && topTimes.every((t) => t !== null) ? (topTimes as number[]).reduce((a, b) => a + b, 0) : cases.reduce((a, c) => a + c.durationMs, 0));

  const ownKind = own[`${OWN_PREFIX}kind`];
  const kind: RunKind =
    base.kind ?? ((RUN_KINDS as readonly string[]).includes(ownKind ?? '') ? (ownKind as RunKind) : tool === 'newman' ? 'api' : 'e2e');
  const rootName = attr(node, 'name')?.trim();
  const name = base.name ?? (rootName || basename(file, extname(file)) || basename(file));
  const toolInfo =
    tool === 'shopfds' && own[`${OWN_PREFIX}tool`]
      ? { name: own[`${OWN_PREFIX}tool`]!, version: own[`${OWN_PREFIX}toolVersion`] ?? null, commandLine: null }
      : { name: tool === 'shopfds' ? 'junit' : tool, version: null, commandLine: null };
  const interrupted = tool === 'shopfds' && own[`${OWN_PREFIX}status`] === 'interrupted';
  if (!cases.length && runError === null) runError = `${displayPath(file)} has no test cases`;
  return makeRun({
    id: base.id,
    kind,
    name,
    startedAt: new Date(startMs).toISOString(),
    completedAt: new Date(startMs + durationMs).toISOString(),
    durationMs,
    environment: base.environment,
    trigger: 'import',
    executedBy: base.executedBy,
    ci: base.ci,
    runGroup: base.runGroup,
    tool: toolInfo,
    toolError: runError !== null,
    interrupted,
    errorMessage: runError,
    artifacts: [{ name: basename(file), kind: 'report', contentType: 'application/xml', path: file, attempt: null }],
    metadata,
    cases,
    details: null,
  });
}

/** `shopfds-test import --format junit`: streamed, so memory stays bounded whatever the file's size. */
export const importJunit: Importer = async (file, base) => {
  const label = displayPath(file);
  return junitDocumentToRun(await readJunitXml(textChunks(file, label), label), file, base);
};

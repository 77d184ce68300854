import { basename, extname, isAbsolute, relative } from 'node:path';
import {
  RUN_KINDS,
  UsageError,
  addToTotals,
  emptyTotals,
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
import type { ImportBase, Importer, StreamingImporter } from '../import-types.js';
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

/** A testsuite as the reader sees it: its attributes, properties and system-err, never its testcases. */
interface SuiteInfo {
  /** Position of its opening tag among all suites (document order), so the first property value wins as before. */
  readonly order: number;
  /** Attributes, `properties` and `system-err`; testcases and nested suites are handed out, not kept. */
  readonly node: XmlNode;
  /** The names of the enclosing suites and this one (blank names left out). */
  readonly path: string[];
  readonly parent: SuiteInfo | null;
  readonly top: boolean;
  directCases: number;
  directCasesWithError: number;
  /** Ordinals in the second pass: the next for a testcase of this suite, and where its next nested suite starts. */
  nextOrdinal: number;
  nestedOrdinal: number;
}

interface ReadHandlers {
  /** The root element's attributes, when it opens. */
  root(name: 'testsuites' | 'testsuite', node: XmlNode): void;
  /** A suite has opened (its attributes are known). */
  suiteOpened?(suite: SuiteInfo): void;
  /** A testcase of a suite, complete (its text bounded per element). */
  testcase(node: XmlNode, suite: SuiteInfo): void;
  /** A suite has closed (after all its testcases and nested suites). */
  suiteClosed(suite: SuiteInfo): void;
}

/** root: `<testsuites>`; suite/case: what the importer reads; keep: a subtree kept on its parent; skip: read past. */
type Role = 'root' | 'suite' | 'case' | 'keep' | 'skip';

interface Frame {
  readonly name: string;
  readonly node: XmlNode;
  readonly role: Role;
  readonly suite: SuiteInfo | null;
  text: BoundedText | null;
}

const CUT = /\[\.\.\. (\d+) characters cut; the full output is in /;

/** Children of a suite the importer reads; any other subtree of a suite is read past and dropped. */
const SUITE_KEPT = new Set(['properties', 'system-err']);

function roleOf(name: string, parent: Frame | undefined): Role {
  if (!parent) return name === 'testsuite' ? 'suite' : 'root';
  switch (parent.role) {
    case 'root':
      return name === 'testsuite' ? 'suite' : 'skip';
    case 'suite':
      if (name === 'testsuite') return 'suite';
      if (name === 'testcase') return 'case';
      return SUITE_KEPT.has(name) ? 'keep' : 'skip';
    case 'case':
    case 'keep':
      return 'keep';
    case 'skip':
      return 'skip';
  }
}

/**
 * Streams JUnit XML once through a SAX parser (saxes), handing out each testcase with its suite as
 * soon as it closes: memory is bounded by the largest testcase (its text bounded per element, see
 * {@link BoundedText}) and the nesting, whatever the number of testcases. `afterChunk` runs after
 * each chunk is parsed (the testcases handed out by then can be written away). External entities
 * are never fetched and DTD entities never expanded; nesting deeper than {@link MAX_XML_DEPTH} is
 * refused. Throws a UsageError naming `label` when it is not JUnit XML.
 */
async function readJunitStream(
  chunks: AsyncIterable<string> | Iterable<string>,
  label: string,
  handlers: ReadHandlers,
  afterChunk: () => Promise<void> | void = () => {},
): Promise<void> {
  const { SaxesParser } = await import('saxes');
  const parser = new SaxesParser({ xmlns: false, position: true });
  Object.assign(parser.ENTITIES, HTML_ENTITIES);
  const expected = 'expected a <testsuites> or <testsuite> root element';
  const stack: Frame[] = [];
  let sawRoot = false;
  let suites = 0;
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
    if (!sawRoot && stack.length === 0 && name !== 'testsuites' && name !== 'testsuite') {
      fail(new UsageError(`${label}: not JUnit XML (the root element is <${name}>; ${expected})`));
      return;
    }
    if (stack.length >= MAX_XML_DEPTH) {
      fail(new UsageError(`${label}: elements nested more than ${MAX_XML_DEPTH} deep; not a JUnit report this tool can read`));
      return;
    }
    const parent = stack[stack.length - 1];
    const role = roleOf(name, parent);
    if (role === 'skip') {
      stack.push({ name, node: {}, role, suite: null, text: null });
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
    if (role === 'keep' && parent) {
      const existing = parent.node[name];
      if (existing === undefined) parent.node[name] = ARRAY_ELEMENTS.has(name) ? [node] : node;
      else if (Array.isArray(existing)) existing.push(node);
      else parent.node[name] = [existing, node];
    }
    let suite: SuiteInfo | null = null;
    if (role === 'suite') {
      const own = attrs.name?.trim();
      const outer = parent?.suite?.path ?? [];
      const outerSuite = parent?.suite ?? null;
      suite = { order: suites++, node, path: own ? [...outer, own] : outer, parent: outerSuite, top: !outerSuite, directCases: 0, directCasesWithError: 0, nextOrdinal: 0, nestedOrdinal: 0 };
    } else if (role === 'case' || role === 'keep') suite = parent?.suite ?? null;
    if (!sawRoot) {
      sawRoot = true;
      handlers.root(name as 'testsuites' | 'testsuite', node);
    }
    if (role === 'suite' && suite) handlers.suiteOpened?.(suite);
    stack.push({ name, node, role, suite, text: role !== 'root' && TEXT_ELEMENTS.has(name) ? new BoundedText() : null });
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
    if (!frame) return;
    if (frame.text) {
      const text = frame.text.value(label);
      if (text) frame.node['#text'] = text;
    }
    if (frame.role === 'case' && frame.suite) {
      frame.suite.directCases++;
      if (frame.node.error !== undefined) frame.suite.directCasesWithError++;
      handlers.testcase(frame.node, frame.suite);
    } else if (frame.role === 'suite' && frame.suite) handlers.suiteClosed(frame.suite);
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
    await afterChunk();
  }
  if (!sawContent) throw new UsageError(`${label}: not JUnit XML (the file is empty; ${expected})`);
  parser.close();
  if (failure) throw failure;
  if (!sawRoot) throw new UsageError(`${label}: not JUnit XML (no root element; ${expected})`);
  await afterChunk();
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

/** What the first pass learns about a JUnit file: enough to read its testcases in the second. */
interface JunitScan {
  root: 'testsuites' | 'testsuite';
  rootNode: XmlNode;
  suites: number;
  ownRunId: boolean;
  anyHostname: boolean;
  allHostname: boolean;
  allUuidWithoutHostname: boolean;
  allWithoutTests: boolean;
  testcases: number;
  runErrorTestcases: number;
  classnameIsSuite: boolean;
  newmanFailure: boolean;
  /** Suite properties, the first value of each name in document order. */
  properties: Map<string, { order: number; value: string }>;
  firstStart: number | null;
  topSuites: number;
  topTimesPresent: boolean;
  topSecondsMs: number;
  topMillisMs: number;
  /** Suites whose system-err reports errors beyond their testcases (a "request error" case each), in document order. */
  requestErrorSuites: number[];
  /** By suite order: its own testcases, and those of it and every suite inside it (each with how many are run errors). */
  direct: number[];
  directRunErrors: number[];
  within: number[];
  withinRunErrors: number[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function suiteErrorOutput(suite: XmlNode): string {
  return children(suite, 'system-err')
    .map((e) => tidy(textOf(e)))
    .filter(Boolean)
    .join('\n');
}

function hasRequestError(suite: SuiteInfo): boolean {
  const declared = Number.parseInt(attr(suite.node, 'errors') ?? '0', 10);
  return declared > suite.directCasesWithError && suiteErrorOutput(suite.node) !== '';
}

/** First pass: the tool that wrote the file, run metadata, times and counts, without keeping any testcase. */
async function scanJunit(file: string, label: string, source: string): Promise<JunitScan> {
  const scan: JunitScan = {
    root: 'testsuites',
    rootNode: {},
    suites: 0,
    ownRunId: false,
    anyHostname: false,
    allHostname: true,
    allUuidWithoutHostname: true,
    allWithoutTests: true,
    testcases: 0,
    runErrorTestcases: 0,
    classnameIsSuite: true,
    newmanFailure: false,
    properties: new Map(),
    firstStart: null,
    topSuites: 0,
    topTimesPresent: true,
    topSecondsMs: 0,
    topMillisMs: 0,
    requestErrorSuites: [],
    direct: [],
    directRunErrors: [],
    within: [],
    withinRunErrors: [],
  };
  const runErrorsIn = new Map<SuiteInfo, number>();
  await readJunitStream(textChunks(file, label), label, {
    root(name, node) {
      scan.root = name;
      scan.rootNode = node;
    },
    testcase(tc, suite) {
      scan.testcases++;
      if (attr(tc, 'classname') === RUN_ERROR_CLASSNAME) {
        scan.runErrorTestcases++;
        runErrorsIn.set(suite, (runErrorsIn.get(suite) ?? 0) + 1);
      }
      if (attr(tc, 'classname') !== attr(suite.node, 'name')) scan.classnameIsSuite = false;
      if (!scan.newmanFailure) {
        for (const f of [...children(tc, 'failure'), ...children(tc, 'error')]) {
          if (attr(f, 'type') === 'AssertionFailure' || textOf(f).includes('Collection JSON ID:')) scan.newmanFailure = true;
        }
      }
    },
    suiteClosed(suite) {
      const s = suite.node;
      scan.suites++;
      const hostname = attr(s, 'hostname') !== undefined;
      scan.anyHostname ||= hostname;
      scan.allHostname &&= hostname;
      scan.allUuidWithoutHostname &&= UUID.test(attr(s, 'id') ?? '') && !hostname;
      scan.allWithoutTests &&= attr(s, 'tests') === undefined;
      for (const [name, value] of suiteProperties(s)) {
        if (name === `${OWN_PREFIX}runId`) scan.ownRunId = true;
        const known = scan.properties.get(name);
        if (!known || known.order > suite.order) scan.properties.set(name, { order: suite.order, value });
      }
      const start = parseTimestamp(attr(s, 'timestamp'));
      if (start !== null && (scan.firstStart === null || start < scan.firstStart)) scan.firstStart = start;
      if (suite.top) {
        scan.topSuites++;
        const time = attr(s, 'time');
        const sec = seconds(time, false, source);
        if (sec === null) scan.topTimesPresent = false;
        else {
          scan.topSecondsMs += sec;
          scan.topMillisMs += seconds(time, true, source)!;
        }
      }
      if (hasRequestError(suite)) scan.requestErrorSuites.push(suite.order);
      const o = suite.order;
      scan.direct[o] = suite.directCases;
      scan.directRunErrors[o] = runErrorsIn.get(suite) ?? 0;
      runErrorsIn.delete(suite);
      scan.within[o] = (scan.within[o] ?? 0) + suite.directCases;
      scan.withinRunErrors[o] = (scan.withinRunErrors[o] ?? 0) + scan.directRunErrors[o]!;
      if (suite.parent) {
        const p = suite.parent.order;
        scan.within[p] = (scan.within[p] ?? 0) + scan.within[o]!;
        scan.withinRunErrors[p] = (scan.withinRunErrors[p] ?? 0) + scan.withinRunErrors[o]!;
      }
    },
  });
  scan.requestErrorSuites.sort((a, b) => a - b);
  return scan;
}

function detectTool(scan: JunitScan): Tool {
  if (scan.ownRunId) return 'shopfds';
  // Playwright always writes id="" on the root (PLAYWRIGHT_JUNIT_SUITE_ID) and the project as hostname.
  if (scan.root === 'testsuites' && attr(scan.rootNode, 'id') !== undefined && scan.anyHostname) return 'playwright';
  if (scan.newmanFailure) return 'newman';
  if (scan.suites && scan.allUuidWithoutHostname) return 'newman';
  // Without the root id: one testsuite per project x file, so every suite has a hostname and every
  // testcase's classname is its testsuite's name (the file).
  if (scan.testcases && scan.allHostname && scan.classnameIsSuite) return 'playwright';
  return 'junit';
}

/** Receives each case of a streamed import as it is read; may wait (the case is being written away). */
export type CaseSink = (c: Case) => Promise<void> | void;

/**
 * Reads a JUnit file into a run whose cases go to `sink` one by one (their ordinals number them;
 * the cases a suite's system-err adds come after all testcases), and returns the run without them
 * (`cases: []`, totals counted from them). Two streamed passes: the first learns which tool wrote
 * the file and the run's metadata, the second builds the cases. Memory stays bounded whatever the
 * file's size or number of testcases.
 */
export const streamJunit: StreamingImporter = async (file: string, base: ImportBase, sink: CaseSink): Promise<RunInput> => {
  const label = displayPath(file);
  const source = displayPath(file);
  const scan = await scanJunit(file, label, source);
  const tool = detectTool(scan);
  // Newman's 2016 reporter wrote milliseconds and no tests/failures counts.
  const millis = tool === 'newman' && scan.suites > 0 && scan.allWithoutTests;
  const ctx: CaseContext = { tool, millis, source };

  const metadata: Record<string, string> = {};
  const own: Record<string, string> = {};
  for (const [name, { value }] of [...scan.properties].sort((a, b) => a[1].order - b[1].order)) {
    if (tool === 'shopfds' && (name.startsWith(OWN_PREFIX) || name.startsWith('ci.'))) own[name] = value;
    else metadata[name] = value;
  }

  const testcaseCount = tool === 'shopfds' ? scan.testcases - scan.runErrorTestcases : scan.testcases;
  const requestErrorOrdinal = new Map(scan.requestErrorSuites.map((order, k) => [order, testcaseCount + k]));
  // Cases are numbered as a suite's own testcases first, then those of its nested suites in order,
  // wherever the testcases stand between the nested suites in the file.
  const skipRunErrors = tool === 'shopfds';
  const direct = (o: number) => scan.direct[o]! - (skipRunErrors ? scan.directRunErrors[o]! : 0);
  const within = (o: number) => scan.within[o]! - (skipRunErrors ? scan.withinRunErrors[o]! : 0);
  let topOrdinal = 0;
  let runError: string | null = null;
  let caseDurations = 0;
  const totals = emptyTotals();
  let pending: (() => Case | null)[] = [];
  await readJunitStream(
    textChunks(file, label),
    label,
    {
      root() {},
      suiteOpened(suite) {
        const start = suite.parent ? suite.parent.nestedOrdinal : topOrdinal;
        suite.nextOrdinal = start;
        suite.nestedOrdinal = start + direct(suite.order);
      },
      testcase(tc, suite) {
        pending.push(() => {
          if (tool === 'shopfds' && attr(tc, 'classname') === RUN_ERROR_CLASSNAME) {
            const err = children(tc, 'error')[0];
            runError = err ? (tidy(textOf(err)) || attr(err, 'message') || 'run error') : 'run error';
            return null;
          }
          return buildCase({ suitePath: suite.path, suite: suite.node, testcase: tc }, suite.nextOrdinal++, ctx);
        });
      },
      suiteClosed(suite) {
        if (suite.parent) suite.parent.nestedOrdinal += within(suite.order);
        else topOrdinal += within(suite.order);
        const at = requestErrorOrdinal.get(suite.order);
        if (at === undefined) return;
        // Request and script errors Newman (and others) report on the testsuite, beyond the testcases.
        pending.push(() => {
          const errOut = suiteErrorOutput(suite.node);
          const name = attr(suite.node, 'name')?.trim() || '(unnamed)';
          const path = suite.directCases > 0 ? suite.path : [name];
          const message = errOut.split('\n').find((l) => l.trim())!.trim();
          return makeCase({ ordinal: at, suitePath: path, name: 'request error', status: 'failed', errorMessage: message, errorStack: errOut, stderr: cap(errOut, source) });
        });
      },
    },
    async () => {
      const ready = pending;
      pending = [];
      for (const build of ready) {
        const c = build();
        if (!c) continue;
        addToTotals(totals, c);
        caseDurations += c.durationMs;
        await sink(c);
      }
    },
  );

  const startMs = scan.firstStart ?? Date.parse(base.importedAt);
  const rootTime = scan.root === 'testsuites' ? seconds(attr(scan.rootNode, 'time'), millis, source) : null;
  const durationMs = rootTime ?? (scan.topSuites && scan.topTimesPresent ? (millis ? scan.topMillisMs : scan.topSecondsMs) : caseDurations);

  const ownKind = own[`${OWN_PREFIX}kind`];
  const kind: RunKind =
    base.kind ?? ((RUN_KINDS as readonly string[]).includes(ownKind ?? '') ? (ownKind as RunKind) : tool === 'newman' ? 'api' : 'e2e');
  const rootName = attr(scan.rootNode, 'name')?.trim();
  const name = base.name ?? (rootName || basename(file, extname(file)) || basename(file));
  const toolInfo =
    tool === 'shopfds' && own[`${OWN_PREFIX}tool`]
      ? { name: own[`${OWN_PREFIX}tool`]!, version: own[`${OWN_PREFIX}toolVersion`] ?? null, commandLine: null }
      : { name: tool === 'shopfds' ? 'junit' : tool, version: null, commandLine: null };
  const interrupted = tool === 'shopfds' && own[`${OWN_PREFIX}status`] === 'interrupted';
  if (!totals.total && runError === null) runError = `${displayPath(file)} has no test cases`;
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
    cases: [],
    totals,
    details: null,
  });
};

/** `shopfds-test import --format junit` with the cases in memory (see {@link streamJunit}, which the CLI uses). */
export const importJunit: Importer = async (file, base) => {
  const cases: Case[] = [];
  const run = await streamJunit(file, base, (c) => {
    cases.push(c);
  });
  cases.sort((a, b) => a.ordinal - b.ordinal);
  return { ...run, cases };
};

import type { Attempt, Case, Run } from '../model/index.js';
import type { Renderer } from './types.js';

/*
 * Surefire-style JUnit XML, valid against the Jenkins xUnit plugin's junit-10.xsd (the schema CI
 * servers read; see shared/reference/junit/FORMAT.md). Built by string concatenation: a 10,000-case
 * run must render in a few tens of milliseconds, and a DOM library would cost more than the rest of
 * the command.
 *
 * Layout:
 * - one <testsuite> per top-level suite (first element of suitePath, else the run name) and project,
 *   the project as `hostname` like Playwright's reporter, in order of first appearance;
 * - run metadata as <properties> on every testsuite (Jenkins shows suite properties, not root ones);
 * - case properties as `[[PROPERTY|name=value]]` lines and artifacts as `[[ATTACHMENT|path]]` lines
 *   in <system-out>: the schema allows no <properties> inside a <testcase>; the case's `file` and
 *   `line` (where known) come first, the same way, since the schema allows no such attributes either;
 * - flaky cases pass and carry one <flakyFailure>/<flakyError> per failed attempt; failed cases carry
 *   <rerunFailure>/<rerunError> for their earlier failed attempts;
 * - a run-level error (tool crash, unparseable output) becomes an <error> testcase with classname
 *   RUN_ERROR_CLASSNAME so CI shows why the run failed.
 */

/** Classname of the testcase that stands for a run-level error; the JUnit importer recognises it. */
export const RUN_ERROR_CLASSNAME = 'shopfds-test.run';

/** Prefix of the run metadata properties written on each testsuite. */
export const PROPERTY_PREFIX = 'shopfds.';

// XML 1.0 Char production: anything else cannot appear in a document, not even as a reference.
// With the `u` flag, [\uD800-\uDFFF] matches only unpaired surrogates, so emoji and other astral
// characters pass through.
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
// Fast-path tests without the `u` flag: any surrogate (emoji too) takes the slower, exact path.
const TEXT_SPECIAL = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;
const ATTR_SPECIAL = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

function clean(value: string): string {
  let s = value;
  // Terminal colour codes are noise in CI and ESC is not an XML character.
  if (s.includes('\u001b')) s = s.replace(ANSI, '');
  return s.replace(ILLEGAL, '\uFFFD');
}

/** Escapes element text; `]]>` cannot survive because `>` is always escaped. */
export function escapeXmlText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  return clean(value).replace(/[&<>]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : '&gt;'));
}

/** Escapes an attribute value; line breaks and tabs become references so parsers keep them. */
export function escapeXmlAttr(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  return clean(value).replace(/[&<>"\t\n\r]/g, (ch) => ATTR_ESCAPES[ch]!);
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Seconds with at most three decimals, as the Surefire time pattern requires. */
export function formatJunitSeconds(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  // Whole milliseconds divided by 1000 print with at most three decimals and no exponent.
  return String(Math.round(ms) / 1000);
}

interface SuiteGroup {
  readonly name: string;
  readonly project: string | null;
  readonly cases: Case[];
}

function groupCases(run: Run): SuiteGroup[] {
  const groups = new Map<string, SuiteGroup>();
  const order: SuiteGroup[] = [];
  for (const c of run.cases) {
    const name = c.suitePath[0] ?? run.name;
    const key = `${c.project ?? ''}\u0000${name}`;
    let group = groups.get(key);
    if (!group) {
      group = { name, project: c.project, cases: [] };
      groups.set(key, group);
      order.push(group);
    }
    group.cases.push(c);
  }
  return order;
}

function runProperties(run: Run): [string, string][] {
  const p = PROPERTY_PREFIX;
  const props: [string, string | null | undefined][] = [
    [`${p}runId`, run.id],
    [`${p}kind`, run.kind],
    [`${p}name`, run.name],
    [`${p}status`, run.status],
    [`${p}environment`, run.environment],
    [`${p}trigger`, run.trigger],
    [`${p}executedBy`, run.executedBy],
    [`${p}startedAt`, run.startedAt],
    [`${p}completedAt`, run.completedAt],
    [`${p}tool`, run.tool.name],
    [`${p}toolVersion`, run.tool.version],
    [`${p}commandLine`, run.tool.commandLine],
    [`${p}runGroup`, run.runGroup],
    [`${p}shard`, run.shard ? `${run.shard.current}/${run.shard.total}` : null],
    ['ci.provider', run.ci?.provider],
    ['ci.buildId', run.ci?.buildId],
    ['ci.commitSha', run.ci?.commitSha],
    ['ci.branch', run.ci?.branch],
    ['ci.jobUrl', run.ci?.jobUrl],
  ];
  const out: [string, string][] = [];
  for (const [name, value] of props) if (value !== null && value !== undefined) out.push([name, value]);
  for (const name of Object.keys(run.metadata).sort()) out.push([name, run.metadata[name]!]);
  // The chaos audit trail and observations, in order (numbered so CI systems keep them apart).
  const e = run.chaos?.experiment;
  if (e) {
    e.audit.forEach((a, i) => out.push([`chaos.audit.${i + 1}`, `${a.at} ${a.action} by ${a.actor}${a.detail ? `: ${a.detail}` : ''}`]));
    e.observations.forEach((o, i) => out.push([`chaos.observation.${i + 1}`, `${o.observed_at} ${o.observation_type} ${o.metric_name}=${o.metric_value}${o.notes ? ` (${o.notes})` : ''}`]));
  }
  return out;
}

function renderProperties(props: readonly [string, string][]): string {
  if (!props.length) return '';
  let s = '    <properties>\n';
  for (const [name, value] of props) s += `      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}"/>\n`;
  return `${s}    </properties>\n`;
}

/** A short exception-like type for the `type` attribute: `TimeoutError: ...` gives `TimeoutError`. */
function errorType(message: string | null, fallback: string): string {
  if (message) {
    const m = /^\s*(?:\u001b\[[0-9;]*m)*((?:[A-Za-z_$][\w$.]*)?(?:Error|Exception|Failure))\b/.exec(message);
    if (m) return m[1]!;
  }
  return fallback;
}

function isErrorStatus(status: Case['status'] | Attempt['status']): boolean {
  return status === 'timed_out' || status === 'interrupted';
}

function errorTypeFor(status: Case['status'] | Attempt['status'], message: string | null): string {
  // Fixed so readers (our importer included) can tell a timeout from any other error.
  if (status === 'timed_out') return 'TimeoutError';
  if (status === 'interrupted') return 'Interrupted';
  return errorType(message, 'AssertionError');
}

function rerunElement(tag: string, a: Attempt): string {
  const message = a.errorMessage ?? `attempt ${a.index + 1} ${a.status === 'timed_out' ? 'timed out' : a.status}`;
  const type = errorTypeFor(a.status, a.errorMessage);
  const body = a.errorStack ?? a.errorMessage;
  return (
    `      <${tag} message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(type)}">` +
    (body ? `<stackTrace>${escapeXmlText(body)}</stackTrace>` : '') +
    `</${tag}>\n`
  );
}

function systemOut(c: Case): string {
  let out = '';
  if (c.stdout) out += c.stdout.endsWith('\n') ? c.stdout : `${c.stdout}\n`;
  // Where the test lives. As properties, not testcase attributes: junit-10.xsd allows no `file` or
  // `line` on a testcase. The JUnit importer reads them back into the case's file and line.
  if (c.file && !('file' in c.properties)) out += `[[PROPERTY|file=${c.file}]]\n`;
  if (c.line !== null && !('line' in c.properties)) out += `[[PROPERTY|line=${c.line}]]\n`;
  for (const name of Object.keys(c.properties).sort()) {
    const value = c.properties[name]!;
    // The multi-line form of the convention keeps line breaks in a value.
    out += value.includes('\n') ? `[[PROPERTY|${name}]]\n${value}\n[[/PROPERTY]]\n` : `[[PROPERTY|${name}=${value}]]\n`;
  }
  for (const a of c.artifacts) out += `[[ATTACHMENT|${a.path}]]\n`;
  return out;
}

function testcaseName(c: Case): string {
  let name = '';
  for (let i = 1; i < c.suitePath.length; i++) name += `${c.suitePath[i]} › `;
  return name + c.name;
}

function renderCase(c: Case, suiteName: string): string {
  const classname = c.properties['junit.classname'] ?? c.file ?? suiteName;
  let s = `    <testcase name="${escapeXmlAttr(testcaseName(c))}" classname="${escapeXmlAttr(classname)}" time="${formatJunitSeconds(c.durationMs)}"`;
  let body = '';
  const last = c.attempts.length ? c.attempts[c.attempts.length - 1] : undefined;
  switch (c.status) {
    case 'skipped': {
      const reason = c.properties['skip'] || c.errorMessage;
      body += reason ? `      <skipped message="${escapeXmlAttr(reason)}"/>\n` : '      <skipped/>\n';
      break;
    }
    case 'failed':
    case 'timed_out':
    case 'interrupted': {
      const tag = isErrorStatus(c.status) ? 'error' : 'failure';
      const message = c.errorMessage ?? (c.status === 'failed' ? 'failed' : c.status === 'timed_out' ? 'timed out' : 'interrupted');
      const text = c.errorStack ?? c.errorMessage;
      body += `      <${tag} message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(errorTypeFor(c.status, c.errorMessage))}"`;
      body += text ? `>${escapeXmlText(text)}</${tag}>\n` : '/>\n';
      // Earlier failed tries, the way Surefire reports reruns of a test that never passed.
      for (const a of c.attempts) {
        if (a === last) break;
        if (a.status === 'failed') body += rerunElement('rerunFailure', a);
        else if (isErrorStatus(a.status)) body += rerunElement('rerunError', a);
      }
      break;
    }
    case 'flaky':
      for (const a of c.attempts) {
        if (a.status === 'failed') body += rerunElement('flakyFailure', a);
        else if (isErrorStatus(a.status)) body += rerunElement('flakyError', a);
      }
      break;
    case 'passed':
      break;
  }
  const out = systemOut(c);
  if (out) body += `      <system-out>${escapeXmlText(out)}</system-out>\n`;
  if (c.stderr) body += `      <system-err>${escapeXmlText(c.stderr)}</system-err>\n`;
  s += body ? `>\n${body}    </testcase>\n` : '/>\n';
  return s;
}

function runErrorCase(run: Run): string {
  const message = run.errorMessage!;
  const tag = `${run.tool.name} ${run.status === 'interrupted' ? 'interrupted' : 'error'}`;
  return (
    `    <testcase name="${escapeXmlAttr(tag)}" classname="${RUN_ERROR_CLASSNAME}" time="0">\n` +
    `      <error message="${escapeXmlAttr(firstLineOf(message))}" type="${run.status === 'interrupted' ? 'Interrupted' : 'ToolError'}">${escapeXmlText(message)}</error>\n` +
    '    </testcase>\n'
  );
}

function firstLineOf(text: string): string {
  const i = text.indexOf('\n');
  return i === -1 ? text : text.slice(0, i);
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeMs: number;
}

function countCases(cases: readonly Case[]): Counts {
  const n: Counts = { tests: cases.length, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
  for (const c of cases) {
    if (c.status === 'failed') n.failures++;
    else if (c.status === 'timed_out' || c.status === 'interrupted') n.errors++;
    else if (c.status === 'skipped') n.skipped++;
    n.timeMs += c.durationMs;
  }
  return n;
}

/** Renders a run as JUnit XML. */
export function renderJunit(run: Run): string {
  const groups = groupCases(run);
  const hasRunError = run.errorMessage !== null && run.errorMessage !== '';
  if (hasRunError && !groups.length) groups.push({ name: run.name, project: null, cases: [] });
  const props = renderProperties(runProperties(run));
  const timestamp = escapeXmlAttr(run.startedAt);
  const parts: string[] = [];
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
  groups.forEach((g, i) => {
    const n = countCases(g.cases);
    const withError = hasRunError && i === 0;
    if (withError) {
      n.tests++;
      n.errors++;
    }
    total.tests += n.tests;
    total.failures += n.failures;
    total.errors += n.errors;
    total.skipped += n.skipped;
    let s =
      `  <testsuite name="${escapeXmlAttr(g.name)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}"` +
      ` time="${formatJunitSeconds(n.timeMs)}" timestamp="${timestamp}"` +
      (g.project !== null ? ` hostname="${escapeXmlAttr(g.project)}"` : '') +
      ` id="${i}">\n`;
    s += props;
    if (withError) s += runErrorCase(run);
    for (const c of g.cases) s += renderCase(c, g.name);
    s += '  </testsuite>\n';
    parts.push(s);
  });
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${escapeXmlAttr(run.name)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="${formatJunitSeconds(run.durationMs)}">\n`;
  return `${head}${parts.join('')}</testsuites>\n`;
}

export const junitRenderer: Renderer = {
  name: 'junit',
  extension: 'xml',
  render: (run) => renderJunit(run),
};

import { dirname, isAbsolute, join, relative } from 'node:path';
import { z } from 'zod';
import type { ArtifactKind, AttemptStatus, CaseStatus, E2eTestRun, E2eTestStepResult, Environment } from '../../model/index.js';
import { makeCase } from '../../model/make.js';

/*
 * Playwright JSON reporter output -> run model. Pure. The schema below is loose except on the fields
 * read here (see ../shared/reference/playwright/FORMAT.md); it accepts reports from 1.28 to 1.65.
 */

const ErrorSchema = z.looseObject({
  message: z.string().optional(),
  stack: z.string().optional(),
  value: z.string().optional(),
  location: z.looseObject({ file: z.string(), line: z.number(), column: z.number() }).optional(),
});
type JsonError = z.infer<typeof ErrorSchema>;

const AttachmentSchema = z.looseObject({
  name: z.string(),
  contentType: z.string().optional(),
  path: z.string().optional(),
  body: z.string().optional(),
});

interface JsonStep {
  title: string;
  duration: number;
  error?: JsonError;
  steps?: JsonStep[];
}
const StepSchema: z.ZodType<JsonStep> = z.looseObject({
  title: z.string(),
  duration: z.number(),
  error: ErrorSchema.optional(),
  get steps() {
    return z.array(StepSchema).optional();
  },
}) as unknown as z.ZodType<JsonStep>;

const OutputChunk = z.union([z.looseObject({ text: z.string() }), z.looseObject({ buffer: z.string() })]);

/** An ISO time Date.parse understands: a start time that is not a date is an error, not a crash. */
const DateText = z.string().refine((s) => Number.isFinite(Date.parse(s)), { message: 'not a date' });
/** Milliseconds; Playwright writes -1 for a time it did not measure. Anything lower is an error, never 0. */
const Millis = z.number().min(-1, { message: 'negative duration' });

const ResultSchema = z.looseObject({
  status: z.enum(['passed', 'failed', 'timedOut', 'skipped', 'interrupted']),
  duration: Millis,
  retry: z.number().int().nonnegative(),
  startTime: DateText.optional(),
  error: ErrorSchema.optional(),
  errors: z.array(ErrorSchema).optional(),
  errorLocation: z.looseObject({ file: z.string(), line: z.number(), column: z.number() }).optional(),
  stdout: z.array(OutputChunk).optional(),
  stderr: z.array(OutputChunk).optional(),
  attachments: z.array(AttachmentSchema).optional(),
  steps: z.array(StepSchema).optional(),
});
type JsonResult = z.infer<typeof ResultSchema>;

const TestSchema = z.looseObject({
  projectName: z.string().optional(),
  projectId: z.string().optional(),
  expectedStatus: z.string().optional(),
  status: z.enum(['expected', 'unexpected', 'flaky', 'skipped']).optional(),
  annotations: z.array(z.looseObject({ type: z.string(), description: z.string().optional() })).optional(),
  results: z.array(ResultSchema),
});

const SpecSchema = z.looseObject({
  title: z.string(),
  id: z.string().optional(),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
  tags: z.array(z.string()).optional(),
  tests: z.array(TestSchema),
});

interface JsonSuite {
  title: string;
  file?: string;
  specs?: z.infer<typeof SpecSchema>[];
  suites?: JsonSuite[];
}
const SuiteSchema: z.ZodType<JsonSuite> = z.looseObject({
  title: z.string(),
  file: z.string().optional(),
  specs: z.array(SpecSchema).optional(),
  get suites() {
    return z.array(SuiteSchema).optional();
  },
}) as unknown as z.ZodType<JsonSuite>;

export const PlaywrightReportSchema = z.looseObject({
  config: z.looseObject({
    version: z.string().optional(),
    rootDir: z.string().optional(),
    configFile: z.string().optional(),
    workers: z.number().optional(),
  }),
  suites: z.array(SuiteSchema),
  errors: z.array(ErrorSchema).optional(),
  stats: z
    .looseObject({ startTime: DateText.optional(), duration: Millis.optional() })
    .optional(),
});
export type PlaywrightReport = z.infer<typeof PlaywrightReportSchema>;

/** What the caller knows about a generated spec: the scenario it came from and its step titles. */
export interface ScenarioRef {
  readonly name: string;
  /** Scenario file relative to the working directory. */
  readonly file: string;
  readonly browser: 'chromium' | 'firefox' | 'webkit';
  readonly viewport: { readonly width: number; readonly height: number };
  readonly tags: readonly string[];
  readonly stepTitles: readonly string[];
  /** The scenario file's line of each step (same order as `stepTitles`), to point failures at the YAML. */
  readonly stepLines?: readonly (number | null)[];
}

export interface ParseContext {
  /** Generated spec file (as Playwright reports it, relative to rootDir) -> scenario. */
  readonly scenarios?: ReadonlyMap<string, ScenarioRef>;
  readonly runId: string;
  readonly environment: Environment;
  readonly executedBy: string;
  readonly ciBuildId: string | null;
  readonly ciCommitSha: string | null;
  /** Used when neither the report nor the results carry a start time. */
  readonly fallbackStartedAt: string;
}

export interface ParsedArtifact {
  readonly name: string;
  readonly kind: ArtifactKind;
  readonly contentType: string | null;
  /** As reported (absolute on the machine that ran the tests). */
  readonly path: string;
  readonly attempt: number | null;
}

export interface ParsedCase {
  ordinal: number;
  suitePath: string[];
  name: string;
  file: string | null;
  line: number | null;
  column: number | null;
  project: string | null;
  status: CaseStatus;
  durationMs: number;
  attempts: {
    index: number;
    status: AttemptStatus;
    durationMs: number;
    startedAt: string | null;
    errorMessage: string | null;
    errorStack: string | null;
    stdout: string | null;
    stderr: string | null;
  }[];
  errorMessage: string | null;
  errorStack: string | null;
  artifacts: ParsedArtifact[];
  tags: string[];
  properties: Record<string, string>;
  stdout: string | null;
  stderr: string | null;
}

export interface ParsedPlaywrightRun {
  readonly toolVersion: string | null;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly cases: ParsedCase[];
  readonly testRuns: E2eTestRun[];
  /** Errors outside tests (global setup/teardown, worker crash), ANSI stripped. */
  readonly globalErrors: string[];
  /** True when a result says the run was interrupted. */
  readonly sawInterrupted: boolean;
  readonly configFile: string | null;
  readonly rootDir: string | null;
}

export type ParseReportResult = { ok: true; run: ParsedPlaywrightRun } | { ok: false; message: string };

// eslint-disable-next-line no-control-regex
const ANSI = /[\u001b\u009b][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~]))/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const OUTPUT_LIMIT = 8 * 1024;

function joinOutput(chunks: z.infer<typeof OutputChunk>[] | undefined): string | null {
  if (!chunks || chunks.length === 0) return null;
  const text = chunks.map((c) => ('text' in c ? c.text : Buffer.from(c.buffer, 'base64').toString('utf8'))).join('');
  if (!text) return null;
  const clean = stripAnsi(text);
  return clean.length > OUTPUT_LIMIT ? `${clean.slice(0, OUTPUT_LIMIT)}\n… (truncated)` : clean;
}

function errorText(e: JsonError | undefined): string | null {
  if (!e) return null;
  const text = e.message ?? e.value ?? e.stack;
  return text === undefined ? null : stripAnsi(text).trim() || null;
}

function resultError(r: JsonResult): { message: string | null; stack: string | null } {
  const first = r.error ?? r.errors?.[0];
  let message = errorText(first);
  if (!message && r.errors && r.errors.length > 1) message = r.errors.map(errorText).filter(Boolean).join('\n\n') || null;
  const stack = first?.stack ? stripAnsi(first.stack) : null;
  return { message, stack };
}

const ATTEMPT_STATUS: Record<JsonResult['status'], AttemptStatus> = {
  passed: 'passed',
  failed: 'failed',
  timedOut: 'timed_out',
  skipped: 'skipped',
  interrupted: 'interrupted',
};

function artifactKind(name: string, contentType: string | undefined): ArtifactKind {
  if (name === 'screenshot' || /^step \d+: /.test(name) || contentType?.startsWith('image/')) return 'screenshot';
  if (name === 'video' || contentType?.startsWith('video/')) return 'video';
  if (name === 'trace') return 'trace';
  if (name === 'error-context') return 'log';
  return 'other';
}

/** The case verdict from Playwright's outcome and the last attempt. */
function caseStatus(test: z.infer<typeof TestSchema>, results: JsonResult[]): CaseStatus {
  const last = results[results.length - 1];
  if (last?.status === 'interrupted') return 'interrupted';
  const outcome = test.status ?? deriveOutcome(test, results);
  switch (outcome) {
    case 'expected':
      return 'passed';
    case 'flaky':
      return 'flaky';
    case 'skipped':
      return 'skipped';
    case 'unexpected':
      if (last?.status === 'timedOut') return 'timed_out';
      return 'failed';
  }
}

/** Playwright's TestCase.outcome(), for reports that omit `status`. */
function deriveOutcome(test: z.infer<typeof TestSchema>, results: JsonResult[]): 'expected' | 'unexpected' | 'flaky' | 'skipped' {
  const ran = results.filter((r) => r.status !== 'interrupted');
  if (ran.every((r) => r.status === 'skipped')) return 'skipped';
  const expected = test.expectedStatus ?? 'passed';
  const ok = ran.map((r) => r.status === expected || r.status === 'skipped');
  if (ok.every(Boolean)) return 'expected';
  if (ok.some(Boolean)) return 'flaky';
  return 'unexpected';
}

function browserOf(project: string | null): 'chromium' | 'firefox' | 'webkit' {
  const p = (project ?? '').toLowerCase();
  if (p.includes('firefox')) return 'firefox';
  if (p.includes('webkit') || p.includes('safari')) return 'webkit';
  return 'chromium';
}

function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + Math.round(ms)).toISOString();
}

function stepResults(ref: ScenarioRef | undefined, last: JsonResult | undefined, screenshotByStep: Map<number, string>): E2eTestStepResult[] {
  const reported = last?.steps ?? [];
  const toResult = (n: number, title: string, s: JsonStep | undefined, skipped: boolean): E2eTestStepResult => ({
    step_number: n,
    step_name: title.slice(0, 255),
    status: skipped || !s ? 'skipped' : s.error ? 'failed' : 'passed',
    duration_ms: s ? Math.max(0, Math.round(s.duration)) : 0,
    screenshot_url: screenshotByStep.get(n) ?? null,
    error_message: s?.error ? errorText(s.error) : null,
  });
  if (!ref) return reported.map((s, i) => toResult(i + 1, s.title, s, false));
  // Scenario steps run in order; a step after a failed one never ran.
  const out: E2eTestStepResult[] = [];
  let cursor = 0;
  let failed = false;
  ref.stepTitles.forEach((title, i) => {
    let match: JsonStep | undefined;
    if (!failed) {
      const at = reported.findIndex((s, j) => j >= cursor && s.title === title);
      if (at >= 0) {
        match = reported[at];
        cursor = at + 1;
      }
    }
    out.push(toResult(i + 1, title, match, failed || !last || last.status === 'skipped'));
    if (match?.error) failed = true;
  });
  return out;
}

function walk(suite: JsonSuite, path: string[], visit: (spec: z.infer<typeof SpecSchema>, path: string[], file: string | undefined) => void, file?: string): void {
  const here = file ?? suite.file;
  for (const spec of suite.specs ?? []) visit(spec, path, spec.file ?? here);
  for (const child of suite.suites ?? []) walk(child, [...path, child.title], visit, here);
}

/**
 * A spec file as the user's project names it: relative to the directory of the Playwright config
 * (`tests/cart.spec.ts`), where the report gives it relative to `testDir`. Unchanged when the report
 * carries no config file or the file lies outside the project.
 */
function projectRelative(file: string, rootDir: string | undefined, configFile: string | undefined): string {
  if (!rootDir || !configFile) return file;
  const abs = isAbsolute(file) ? file : join(rootDir, file);
  const rel = relative(dirname(configFile), abs).replace(/\\/g, '/');
  return rel && !rel.startsWith('../') && !isAbsolute(rel) ? rel : file;
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Suites and steps nested deeper than this are refused (a hostile report must not exhaust the stack). */
export const MAX_NESTING = 1000;

/** JSON levels for {@link MAX_NESTING} suites: each suite is an object inside a `suites` array. */
const JSON_DEPTH_LIMIT = 2 * MAX_NESTING + 16;

/** The deepest nesting of `suites` and `steps` arrays, measured without recursion. */
function nestingDepth(input: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[input, 0]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (depth > JSON_DEPTH_LIMIT) break;
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item === 'object') stack.push([item, depth + 1]);
    } else if (value && typeof value === 'object') {
      for (const item of Object.values(value)) if (item && typeof item === 'object') stack.push([item, depth + 1]);
    }
  }
  return deepest;
}

/** Normalizes one Playwright JSON report. */
export function parsePlaywrightReport(input: unknown, ctx: ParseContext): ParseReportResult {
  if (nestingDepth(input) > JSON_DEPTH_LIMIT) {
    return { ok: false, message: `the report is nested more than ${MAX_NESTING} levels deep; not a Playwright JSON report this tool can read` };
  }
  const parsed = PlaywrightReportSchema.safeParse(input);
  if (!parsed.success) {
    const version = (input as { config?: { version?: unknown } } | null)?.config?.version;
    return { ok: false, message: `unexpected Playwright JSON report${typeof version === 'string' ? ` (Playwright ${version})` : ''}: ${issuesOf(parsed.error)}` };
  }
  const report = parsed.data;
  const cases: ParsedCase[] = [];
  const testRuns: E2eTestRun[] = [];
  let sawInterrupted = false;
  let earliest: number | null = null;
  let latest: number | null = null;

  for (const fileSuite of report.suites) {
    walk(fileSuite, [], (spec, describes, file) => {
      const specFile = (file ?? fileSuite.title).replace(/\\/g, '/');
      const ref = ctx.scenarios?.get(specFile);
      for (const test of spec.tests) {
        const results = [...test.results].sort((a, b) => a.retry - b.retry);
        const project = test.projectName || null;
        const status = caseStatus(test, results);
        if (results.some((r) => r.status === 'interrupted')) sawInterrupted = true;
        const ordinal = cases.length;
        const artifacts: ParsedArtifact[] = [];
        const screenshotByStep = new Map<number, string>();
        const attempts = results.map((r, index) => {
          const { message, stack } = resultError(r);
          for (const a of r.attachments ?? []) {
            if (!a.path) continue;
            artifacts.push({ name: a.name, kind: artifactKind(a.name, a.contentType), contentType: a.contentType ?? null, path: a.path, attempt: index });
            const m = /^step (\d+): /.exec(a.name);
            if (m && index === results.length - 1) screenshotByStep.set(Number(m[1]), a.path);
          }
          if (r.startTime) {
            const start = Date.parse(r.startTime);
            if (!Number.isNaN(start)) {
              earliest = earliest === null ? start : Math.min(earliest, start);
              latest = latest === null ? start + r.duration : Math.max(latest, start + r.duration);
            }
          }
          return {
            index,
            status: ATTEMPT_STATUS[r.status],
            durationMs: Math.max(0, r.duration),
            startedAt: r.startTime ?? null,
            errorMessage: message,
            errorStack: stack,
            stdout: joinOutput(r.stdout),
            stderr: joinOutput(r.stderr),
          };
        });
        const last = results[results.length - 1];
        const failedAttempt = [...attempts].reverse().find((a) => a.errorMessage);
        let errorMessage: string | null = null;
        let errorStack: string | null = null;
        if (status === 'failed' || status === 'timed_out' || status === 'interrupted') {
          errorMessage = failedAttempt?.errorMessage ?? null;
          errorStack = failedAttempt?.errorStack ?? null;
          if (!errorMessage && status === 'failed' && last?.status === 'passed' && test.expectedStatus === 'failed')
            errorMessage = 'expected to fail (test.fail()), but passed';
          if (!errorMessage && status === 'interrupted') errorMessage = 'interrupted before the test finished';
          if (!errorMessage && status === 'timed_out') errorMessage = 'test timed out';
          if (!errorMessage) errorMessage = `test ${last?.status ?? 'failed'}`;
        }
        const properties: Record<string, string> = {};
        for (const a of test.annotations ?? []) {
          const key = a.type === 'skip' || a.type === 'fixme' ? 'skip_reason' : `annotation.${a.type}`;
          properties[key] = a.description ?? (a.type === 'skip' || a.type === 'fixme' ? a.type : '');
        }
        if (status === 'skipped' && results.length === 0 && !properties.skip_reason) properties.skip_reason = 'not run';
        if (test.expectedStatus && test.expectedStatus !== 'passed') properties.expected_status = test.expectedStatus;
        const location = last?.errorLocation ?? last?.error?.location;
        if (location && errorMessage)
          properties.error_location = `${projectRelative(location.file, report.config.rootDir, report.config.configFile)}:${location.line}:${location.column}`;
        if (results.length > 1) properties.retries = String(results.length - 1);
        if (ref) properties.scenario = ref.name;
        if (spec.id) properties.test_id = spec.id;

        const durationMs = attempts.reduce((sum, a) => sum + a.durationMs, 0);
        cases.push(
          makeCase({
            ordinal,
            suitePath: ref ? [ref.file] : [fileSuite.title.replace(/\\/g, '/'), ...describes],
            name: ref ? ref.name : spec.title,
            file: ref ? ref.file : projectRelative(specFile, report.config.rootDir, report.config.configFile),
            line: ref ? null : (spec.line ?? null),
            column: ref ? null : (spec.column ?? null),
            project,
            status,
            durationMs,
            attempts,
            errorMessage,
            errorStack,
            artifacts,
            tags: ref ? ref.tags : (spec.tags ?? []).map((t) => t.replace(/^@/, '')),
            properties,
            stdout: attempts.at(-1)?.stdout ?? null,
            stderr: attempts.at(-1)?.stderr ?? null,
          }) as ParsedCase,
        );

        const first = results[0];
        const startedAt = first?.startTime ?? report.stats?.startTime ?? ctx.fallbackStartedAt;
        const completedAt = last?.startTime ? addMs(last.startTime, last.duration) : addMs(startedAt, durationMs);
        const runStatus: E2eTestRun['status'] = status === 'passed' || status === 'flaky' ? 'passed' : status === 'skipped' ? 'skipped' : 'failed';
        const video = artifacts.filter((a) => a.kind === 'video' && a.attempt === results.length - 1).at(-1);
        const steps = stepResults(ref, last, screenshotByStep);
        const screenshots = artifacts
          .filter((a) => a.kind === 'screenshot' && a.attempt === results.length - 1)
          .map((a) => {
            const m = /^step (\d+): (.*)$/.exec(a.name);
            return { step: m ? m[2]! : a.name === 'screenshot' ? 'failure' : a.name, url: a.path };
          });
        const failedStep = ref ? steps.find((st) => st.status === 'failed') : undefined;
        if (failedStep && errorMessage && (status === 'failed' || status === 'timed_out')) {
          // Name the scenario step: "step 18 (Wait for the order result): TimeoutError ...".
          errorMessage = `step ${failedStep.step_number} (${failedStep.step_name}): ${errorMessage}`;
          cases[ordinal]!.errorMessage = errorMessage;
          // Where it failed is the scenario file's step, not the generated spec.
          const line = ref?.stepLines?.[failedStep.step_number - 1];
          if (ref && line) {
            properties.error_location = `${ref.file}:${line}`;
            cases[ordinal]!.properties = { ...cases[ordinal]!.properties, error_location: properties.error_location };
          }
        }
        let errorLogs: string | null = null;
        if (runStatus === 'failed') {
          errorLogs = [errorMessage, properties.error_location ? `at ${properties.error_location}` : null].filter(Boolean).join('\n') || 'failed';
        }
        testRuns.push({
          case_ordinal: ordinal,
          scenario_name: ref?.name ?? null,
          run_id: `${ctx.runId}:${ordinal}`.slice(0, 100),
          status: runStatus,
          started_at: startedAt,
          completed_at: runStatus === 'skipped' && results.length === 0 ? null : completedAt,
          duration_ms: Math.round(durationMs),
          browser: ref?.browser ?? browserOf(project),
          viewport: ref ? { ...ref.viewport } : { width: 1280, height: 720 },
          screenshots,
          video_url: video?.path.slice(0, 500) ?? null,
          error_logs: errorLogs,
          ci_build_id: ctx.ciBuildId?.slice(0, 100) ?? null,
          ci_commit_sha: ctx.ciCommitSha?.slice(0, 40) ?? null,
          environment: ctx.environment,
          executed_by: ctx.executedBy.slice(0, 100),
          steps,
        });
      }
    });
  }

  const startedAt = report.stats?.startTime ?? (earliest !== null ? new Date(earliest).toISOString() : ctx.fallbackStartedAt);
  let durationMs = report.stats?.duration;
  if (durationMs === undefined) durationMs = earliest !== null && latest !== null ? latest - earliest : 0;
  const globalErrors = (report.errors ?? []).map((e) => {
    const text = errorText(e) ?? 'unknown error';
    return e.location ? `${text}\n    at ${e.location.file}:${e.location.line}:${e.location.column}` : text;
  });
  return {
    ok: true,
    run: {
      toolVersion: report.config.version ?? null,
      startedAt,
      durationMs: Math.max(0, durationMs),
      cases,
      testRuns,
      globalErrors,
      sawInterrupted,
      configFile: report.config.configFile ?? null,
      rootDir: report.config.rootDir ?? null,
    },
  };
}

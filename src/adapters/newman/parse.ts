import { computeTotals, deriveRunStatus, makeCase, type ApiTestResult, type ApiTestSuite, type AttemptStatus, type CaseStatus, type Environment, type RunInput, type RunStatus, type Totals } from '../../model/index.js';
import type { HeaderEntry, Redactor, VariableEntry } from './redact.js';

type CaseInput = RunInput['cases'][number];

/*
 * Normalization of Newman runs into the run model. Both sources (the live run events and a Newman
 * JSON report, see ../shared/reference/newman/FORMAT.md) are first turned into plain
 * `ExecutionRecord`s, one per request per iteration; `buildApiResults` then makes the cases and the
 * seed's api_test_suites / api_test_results rows from them, redacting every string on the way.
 */

/** Bodies are kept up to this many characters in api_test_results (after redaction). */
export const BODY_LIMIT = 4096;
/** Decoded bodies are read up to this size for redaction; the rest is counted, not read. */
export const BODY_READ_LIMIT = 256 * 1024;
const MESSAGE_LIMIT = 4000;
const CONSOLE_LIMIT = 4096;

export interface ScriptFailure {
  readonly listen: 'prerequest' | 'test';
  readonly name: string;
  readonly message: string;
  readonly stack: string | null;
}

export interface AssertionRecord {
  readonly name: string;
  readonly skipped: boolean;
  readonly error: { readonly name: string; readonly message: string; readonly stack: string | null } | null;
}

export interface ResponseRecord {
  readonly code: number;
  readonly status: string;
  readonly responseTimeMs: number;
  readonly headers: readonly HeaderEntry[];
  /** Decoded body text, at most BODY_READ_LIMIT characters; null when empty or binary. */
  readonly body: string | null;
  readonly bodyBytes: number;
  readonly binary: boolean;
}

/** One request execution (one item in one iteration), as plain data. */
export interface ExecutionRecord {
  /** 0-based iteration. */
  readonly iteration: number;
  readonly name: string;
  /** Enclosing folders, outermost first. */
  readonly folderPath: readonly string[];
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: readonly HeaderEntry[];
  readonly requestBody: string | null;
  readonly response: ResponseRecord | null;
  /** Transport error (connection refused, DNS, timeout) instead of a response. */
  readonly requestError: { readonly code: string | null; readonly message: string } | null;
  readonly scriptErrors: readonly ScriptFailure[];
  readonly assertions: readonly AssertionRecord[];
  /** Epoch milliseconds, when known. */
  readonly startedAt: number | null;
  readonly durationMs: number;
  readonly console: readonly string[];
  /** The run was stopped while this request was in flight. */
  readonly interrupted: boolean;
}

/** One collection run (one `newman.run`), as plain data. */
export interface CollectionRunRecord {
  readonly collectionId: string | null;
  readonly collectionName: string;
  /** The collection file as given (relative to the working directory when possible). */
  readonly collectionPath: string;
  readonly serviceName: string | null;
  readonly iterations: number;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly executions: readonly ExecutionRecord[];
  /** Newman stopped the run itself (run.error / the callback's error). */
  readonly runError: string | null;
  readonly interrupted: boolean;
  readonly newmanRunId: string | null;
  readonly reportPath: string | null;
}

export interface ApiBuildContext {
  readonly environment: Environment;
  readonly executedBy: string;
  readonly ciBuildId: string | null;
  /** Fallback times (ISO) when the run carries none (imports of old reports). */
  readonly fallbackStartedAt: string;
}

export interface ApiBuildResult {
  readonly cases: CaseInput[];
  readonly suites: ApiTestSuite[];
}

/* ------------------------------------------------------------------------------------------------ */
/* Plain-data helpers shared by the live recorder and the report reader                             */
/* ------------------------------------------------------------------------------------------------ */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** A Postman URL (string, or the object form with host[]/path[]/query[]) as text. */
export function urlToText(url: unknown): string {
  if (typeof url === 'string') return url;
  if (!isObject(url)) return '';
  if (typeof url.raw === 'string' && !Array.isArray(url.host)) return url.raw;
  const protocol = str(url.protocol);
  const host = Array.isArray(url.host) ? url.host.join('.') : (str(url.host) ?? '');
  const port = url.port !== undefined && url.port !== null && url.port !== '' ? `:${String(url.port)}` : '';
  const path = Array.isArray(url.path) ? url.path.map((p) => (isObject(p) ? String(p.value ?? '') : String(p))).join('/') : (str(url.path) ?? '');
  const query = Array.isArray(url.query)
    ? url.query
        .filter((q) => isObject(q) && q.disabled !== true)
        .map((q) => {
          const qq = q as Json;
          return qq.value === null || qq.value === undefined ? String(qq.key) : `${String(qq.key)}=${String(qq.value)}`;
        })
        .join('&')
    : '';
  const auth = isObject(url.auth) ? `${String(url.auth.user ?? '')}:${String(url.auth.password ?? '')}@` : '';
  return `${protocol ? `${protocol}://` : ''}${auth}${host}${port}${path ? `/${path}` : ''}${query ? `?${query}` : ''}`;
}

/** Header lists (array of {key, value}, or a legacy `"K: v\n"` string) as entries. */
export function headersToEntries(headers: unknown): HeaderEntry[] {
  if (Array.isArray(headers)) {
    return headers.filter((h) => isObject(h) && typeof h.key === 'string' && h.disabled !== true).map((h) => ({ key: (h as Json).key as string, value: String((h as Json).value ?? '') }));
  }
  if (typeof headers === 'string') {
    return headers
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf(':');
        return i < 0 ? { key: l, value: '' } : { key: l.slice(0, i).trim(), value: l.slice(i + 1).trim() };
      });
  }
  return [];
}

/** A Postman request body (raw, urlencoded, formdata, graphql, file) as text. */
export function bodyToText(body: unknown): string | null {
  if (typeof body === 'string') return body || null;
  if (!isObject(body)) return null;
  if (body.disabled === true) return null;
  const pairs = (list: unknown) =>
    Array.isArray(list)
      ? list
          .filter((p) => isObject(p) && p.disabled !== true)
          .map((p) => {
            const pp = p as Json;
            if (pp.type === 'file') return `${String(pp.key)}=@${String(pp.src ?? 'file')}`;
            return `${encodeURIComponent(String(pp.key ?? ''))}=${encodeURIComponent(String(pp.value ?? ''))}`;
          })
          .join('&')
      : '';
  switch (body.mode) {
    case 'raw':
      return str(body.raw) || null;
    case 'urlencoded':
      return pairs(body.urlencoded) || null;
    case 'formdata':
      return pairs(body.formdata) || null;
    case 'graphql':
      return isObject(body.graphql) ? JSON.stringify(body.graphql) : null;
    case 'file':
      return isObject(body.file) ? `[file ${String(body.file.src ?? '')}]` : null;
    default:
      return str(body.raw) || null;
  }
}

/** Decodes a response body given as bytes (Buffer, or the JSON report's {type:"Buffer", data}). */
export function decodeBody(bytes: Uint8Array | null, headers: readonly HeaderEntry[]): { body: string | null; bodyBytes: number; binary: boolean } {
  if (!bytes || bytes.length === 0) return { body: null, bodyBytes: 0, binary: false };
  const contentType = headers.find((h) => h.key.toLowerCase() === 'content-type')?.value.toLowerCase() ?? '';
  const slice = bytes.subarray(0, BODY_READ_LIMIT);
  const textual = /json|text|xml|javascript|x-www-form-urlencoded|html|csv|yaml|graphql/.test(contentType);
  if (!textual && slice.subarray(0, 1024).includes(0)) return { body: null, bodyBytes: bytes.length, binary: true };
  return { body: Buffer.from(slice).toString('utf8'), bodyBytes: bytes.length, binary: false };
}

/** The `requestError` of an execution as one clear line. */
export function describeRequestError(error: unknown): { code: string | null; message: string } {
  if (!isObject(error)) return { code: null, message: String(error ?? 'request failed') };
  const code = str(error.code);
  let message = str(error.message);
  if (!message) {
    // Newman's JSON report keeps only errno/code/syscall/hostname of request errors.
    const where = str(error.hostname) ?? (error.address ? `${String(error.address)}${error.port ? `:${String(error.port)}` : ''}` : null);
    message = [error.syscall, code, where].filter((p) => p !== undefined && p !== null && p !== '').join(' ') || 'request failed';
  }
  return { code, message };
}

export function isTimeout(code: string | null, message: string): boolean {
  return code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || /timed? ?out/i.test(message);
}

/* ------------------------------------------------------------------------------------------------ */
/* Newman JSON report -> records                                                                    */
/* ------------------------------------------------------------------------------------------------ */

function folderPaths(items: unknown, path: string[] = [], out = new Map<string, string[]>()): Map<string, string[]> {
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    if (!isObject(item)) continue;
    if (Array.isArray(item.item)) folderPaths(item.item, [...path, String(item.name ?? '')], out);
    else if (typeof item.id === 'string') out.set(item.id, path);
  }
  return out;
}

function scriptFailures(list: unknown, listen: 'prerequest' | 'test'): ScriptFailure[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((s) => isObject(s) && isObject(s.error))
    .map((s) => {
      const e = (s as Json).error as Json;
      return { listen, name: str(e.name) ?? 'Error', message: str(e.message) ?? '', stack: str(e.stack) };
    });
}

/**
 * Reads the executions of a Newman JSON report (newman 3.x to 6.x). Requests that never got an
 * execution entry but appear in `run.failures` (newman skips the request when a pre-request script
 * stops it) are added so they are not lost.
 */
export function executionsFromReport(report: Json): { executions: ExecutionRecord[]; iterations: number; startedAt: number | null; completedAt: number | null } {
  const run = isObject(report.run) ? report.run : {};
  const collection = isObject(report.collection) ? report.collection : {};
  const paths = folderPaths(collection.item);
  const list = Array.isArray(run.executions) ? run.executions : [];
  const executions: ExecutionRecord[] = [];
  const seenRefs = new Set<string>();
  for (const raw of list) {
    if (!isObject(raw)) continue;
    const item = isObject(raw.item) ? raw.item : {};
    const cursor = isObject(raw.cursor) ? raw.cursor : {};
    if (typeof cursor.ref === 'string') seenRefs.add(cursor.ref);
    const request = isObject(raw.request) ? raw.request : isObject(item.request) ? item.request : {};
    const itemId = str(item.id) ?? str(raw.id);
    const response = isObject(raw.response) ? raw.response : null;
    let responseRecord: ResponseRecord | null = null;
    if (response && typeof response.code === 'number') {
      const headers = headersToEntries(response.header);
      let bytes: Uint8Array | null = null;
      if (isObject(response.stream) && Array.isArray(response.stream.data)) bytes = Uint8Array.from(response.stream.data as number[]);
      else if (typeof response.body === 'string') bytes = Buffer.from(response.body, 'utf8');
      const decoded = decodeBody(bytes, headers);
      responseRecord = {
        code: response.code,
        status: str(response.status) ?? '',
        responseTimeMs: typeof response.responseTime === 'number' ? response.responseTime : 0,
        headers,
        ...decoded,
      };
    }
    const requestError = raw.requestError !== undefined && raw.requestError !== null ? describeRequestError(raw.requestError) : null;
    const assertions: AssertionRecord[] = (Array.isArray(raw.assertions) ? raw.assertions : []).filter(isObject).map((a) => {
      const e = isObject(a.error) ? a.error : null;
      return {
        name: str(a.assertion) ?? '(unnamed assertion)',
        skipped: a.skipped === true,
        error: e ? { name: str(e.name) ?? 'AssertionError', message: str(e.message) ?? '', stack: str(e.stack) } : null,
      };
    });
    executions.push({
      iteration: typeof cursor.iteration === 'number' ? cursor.iteration : 0,
      name: str(item.name) ?? '(unnamed request)',
      folderPath: (itemId && paths.get(itemId)) || [],
      method: (str(request.method) ?? 'GET').toUpperCase(),
      url: urlToText(request.url),
      requestHeaders: headersToEntries(request.header),
      requestBody: bodyToText(request.body),
      response: responseRecord,
      requestError,
      scriptErrors: [...scriptFailures(raw.prerequestScript, 'prerequest'), ...scriptFailures(raw.testScript, 'test')],
      assertions,
      startedAt: null,
      durationMs: responseRecord?.responseTimeMs ?? 0,
      console: [],
      interrupted: false,
    });
  }
  // Failures whose request never produced an execution entry.
  for (const failure of Array.isArray(run.failures) ? run.failures : []) {
    if (!isObject(failure) || !isObject(failure.cursor) || !isObject(failure.source)) continue;
    const ref = str(failure.cursor.ref);
    if (!ref || seenRefs.has(ref)) continue;
    seenRefs.add(ref);
    const item = failure.source;
    const error = isObject(failure.error) ? failure.error : {};
    const at = str(failure.at) ?? '';
    const request = isObject(item.request) ? item.request : {};
    executions.push({
      iteration: typeof failure.cursor.iteration === 'number' ? failure.cursor.iteration : 0,
      name: str(item.name) ?? '(unnamed request)',
      folderPath: (str(item.id) && paths.get(item.id as string)) || [],
      method: (str(request.method) ?? 'GET').toUpperCase(),
      url: urlToText(request.url),
      requestHeaders: headersToEntries(request.header),
      requestBody: bodyToText(request.body),
      response: null,
      requestError: at.startsWith('request') ? describeRequestError(error) : null,
      scriptErrors: at.includes('script')
        ? [{ listen: at.startsWith('prerequest') ? 'prerequest' : 'test', name: str(error.name) ?? 'Error', message: str(error.message) ?? '', stack: str(error.stack) }]
        : [],
      assertions: [],
      startedAt: null,
      durationMs: 0,
      console: [],
      interrupted: false,
    });
  }
  const stats = isObject(run.stats) ? run.stats : {};
  const iterationStats = isObject(stats.iterations) ? stats.iterations : {};
  const timings = isObject(run.timings) ? run.timings : {};
  return {
    executions,
    iterations: typeof iterationStats.total === 'number' ? iterationStats.total : Math.max(1, ...executions.map((e) => e.iteration + 1)),
    startedAt: typeof timings.started === 'number' ? timings.started : null,
    completedAt: typeof timings.completed === 'number' ? timings.completed : null,
  };
}

/* ------------------------------------------------------------------------------------------------ */
/* Records -> cases, api_test_suites, api_test_results                                              */
/* ------------------------------------------------------------------------------------------------ */

/** Learns every secret a run's records carry, so that the redaction pass can replace them anywhere. */
export function learnSecrets(redactor: Redactor, runs: readonly CollectionRunRecord[], variables: readonly VariableEntry[] = []): void {
  redactor.learnVariables(variables);
  for (const run of runs) {
    for (const e of run.executions) {
      redactor.learnHeaders(e.requestHeaders);
      redactor.learnUrl(e.url);
      redactor.learnBody(e.requestBody);
      if (e.response) {
        redactor.learnHeaders(e.response.headers);
        redactor.learnBody(e.response.body);
      }
    }
  }
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… [truncated, ${text.length - limit} more characters]` : text;
}

// PostgreSQL refuses NUL characters in text and JSON.
function clean(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
}

/** A redacted body, kept as decoded JSON when it fits and as (truncated) text otherwise. */
function storedBody(redactor: Redactor, text: string | null, meta?: { bodyBytes: number; binary: boolean }): unknown {
  if (meta?.binary) return `[binary body, ${meta.bodyBytes} bytes]`;
  if (text === null || text === '') return null;
  const redacted = redactor.body(clean(text));
  const omitted = meta && meta.bodyBytes > Buffer.byteLength(text) ? ` [${meta.bodyBytes} bytes in all]` : '';
  if (typeof redacted === 'string') return truncate(redacted, BODY_LIMIT) + omitted;
  const serialized = JSON.stringify(redacted);
  if (serialized.length <= BODY_LIMIT && !omitted) return redacted;
  return truncate(serialized, BODY_LIMIT) + omitted;
}

function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

function iso(ms: number | null, fallback: string): string {
  return ms === null || !Number.isFinite(ms) ? fallback : new Date(ms).toISOString();
}

interface PendingCase {
  readonly suitePath: string[];
  readonly name: string;
  readonly status: CaseStatus;
  readonly message: string | null;
  readonly stack: string | null;
}

/**
 * Builds the cases and api suites of one or more collection runs. Every `pm.test` assertion is a
 * case under its request, so the case count is Newman's assertion count; a request also gets a case
 * of its own when it failed outside assertions (transport error or timeout, a pre-request or test
 * script error, interrupted), so a failure is never a silent pass. A request that ran no assertion
 * and did not fail adds no case (no invented pass): it is counted among the requests (the api
 * results, one per request).
 */
export function buildApiResults(runs: readonly CollectionRunRecord[], redactor: Redactor, context: ApiBuildContext, ordinalOffset = 0): ApiBuildResult {
  const cases: CaseInput[] = [];
  const suites: ApiTestSuite[] = [];
  const r = (s: string) => redactor.text(clean(s));
  for (const run of runs) {
    const firstOrdinal = cases.length;
    const results: ApiTestResult[] = [];
    const collectionName = r(run.collectionName);
    for (const e of run.executions) {
      const url = redactor.url(clean(e.url));
      const suitePath = [collectionName, ...e.folderPath.map(r), ...(run.iterations > 1 ? [`iteration ${e.iteration + 1}`] : []), r(e.name)];
      const pending: PendingCase[] = [];
      for (const a of e.assertions) {
        pending.push({
          suitePath,
          name: r(a.name),
          status: a.error ? 'failed' : a.skipped ? 'skipped' : 'passed',
          message: a.error ? truncate(r(a.error.message || a.error.name), MESSAGE_LIMIT) : null,
          stack: a.error?.stack ? truncate(r(a.error.stack), MESSAGE_LIMIT) : null,
        });
      }
      const requestCases: PendingCase[] = [];
      if (e.interrupted) {
        requestCases.push({ suitePath, name: 'request', status: 'interrupted', message: `interrupted before ${e.method} ${url} completed`, stack: null });
      } else if (e.requestError) {
        const message = r(e.requestError.message);
        const timedOut = isTimeout(e.requestError.code, e.requestError.message);
        requestCases.push({
          suitePath,
          name: 'request',
          status: timedOut ? 'timed_out' : 'failed',
          message: truncate(`${timedOut ? 'request timed out' : 'request failed'}: ${message} (${e.method} ${url})`, MESSAGE_LIMIT),
          stack: null,
        });
      }
      // With --bail, postman-runtime 7.x stops the script by throwing an `AssertionFailure` for the
      // assertion that already failed: the same failure twice, not a script error of its own.
      const hasFailedAssertion = e.assertions.some((a) => a.error);
      for (const s of e.scriptErrors) {
        if (s.name === 'AssertionFailure' && hasFailedAssertion) continue;
        const label = s.listen === 'prerequest' ? 'pre-request script' : 'test script';
        requestCases.push({
          suitePath,
          name: label,
          status: 'failed',
          message: truncate(`${label} failed: ${r(s.name)}: ${r(s.message)}`, MESSAGE_LIMIT),
          stack: s.stack ? truncate(r(s.stack), MESSAGE_LIMIT) : null,
        });
      }
      // A request without a failure and without a `pm.test` adds no case: cases are Newman's
      // assertions (plus real request failures); requests are counted apart, in the api results.
      const all = [...requestCases, ...pending];
      const representative = all.length === 0 ? null : requestCases.length ? 0 : Math.max(0, pending.findIndex((c) => c.status === 'failed'));
      const properties: Record<string, string> = { 'http.method': e.method.slice(0, 16), 'http.url': url };
      if (e.response) properties['http.status'] = String(e.response.code);
      if (e.response) properties['http.response_time_ms'] = String(Math.round(e.response.responseTimeMs));
      if (run.iterations > 1) properties.iteration = String(e.iteration + 1);
      const consoleText = e.console.length ? truncate(r(clean(e.console.join('\n'))), CONSOLE_LIMIT) : null;
      const startedAt = e.startedAt === null ? null : new Date(e.startedAt).toISOString();
      const base = ordinalOffset + cases.length;
      all.forEach((c, i) => {
        const duration = i === representative ? Math.max(0, e.durationMs) : 0;
        const attemptStatus: AttemptStatus = c.status === 'flaky' ? 'passed' : (c.status as AttemptStatus);
        cases.push(
          makeCase({
            ordinal: base + i,
            suitePath: c.suitePath,
            name: c.name,
            file: run.collectionPath,
            status: c.status,
            durationMs: duration,
            attempts: [{ index: 0, status: attemptStatus, durationMs: duration, startedAt, errorMessage: c.message, errorStack: c.stack }],
            errorMessage: c.message,
            errorStack: c.stack,
            properties,
            stdout: i === representative ? consoleText : null,
          }),
        );
      });
      const failedCases = all.filter((c) => c.status === 'failed' || c.status === 'timed_out' || c.status === 'interrupted');
      const testStatus = failedCases.length ? 'failed' : all.length && all.every((c) => c.status === 'skipped') ? 'skipped' : 'passed';
      const errorMessage = failedCases.length
        ? truncate(
            failedCases.map((c) => (c.name === 'request' || c.name.endsWith('script') ? c.message : `${c.name}: ${c.message}`)).join('; '),
            MESSAGE_LIMIT,
          )
        : null;
      results.push({
        case_ordinal: representative === null ? null : base + representative,
        endpoint: endpointOf(url),
        http_method: e.method.slice(0, 16),
        status_code: e.response?.code ?? null,
        test_status: testStatus,
        response_time_ms: e.response ? Math.max(0, Math.round(e.response.responseTimeMs)) : null,
        error_message: errorMessage,
        request_body: storedBody(redactor, e.requestBody),
        response_body: e.response ? storedBody(redactor, e.response.body, e.response) : null,
      });
    }
    const suiteCases = cases.slice(firstOrdinal);
    const totals = computeTotals(suiteCases);
    const startedAt = run.startedAt === null ? null : iso(run.startedAt, context.fallbackStartedAt);
    const completedAt = run.completedAt === null ? startedAt ?? context.fallbackStartedAt : iso(run.completedAt, context.fallbackStartedAt);
    const failed = totals.failed > 0 || run.runError !== null || run.interrupted;
    suites.push({
      name: collectionName.slice(0, 255),
      service_name: (run.serviceName ?? (slug(run.collectionName) || 'api')).slice(0, 100),
      postman_collection_id: (run.collectionId ?? slug(run.collectionName) ?? 'unknown').slice(0, 100) || 'unknown',
      postman_collection_path: run.collectionPath.slice(0, 500),
      newman_run_id: run.newmanRunId?.slice(0, 100) ?? null,
      total_tests: totals.total,
      passed_tests: totals.passed,
      failed_tests: totals.failed,
      skipped_tests: totals.skipped,
      status: failed ? 'failed' : 'completed',
      started_at: startedAt,
      completed_at: completedAt,
      duration_ms: run.startedAt !== null && run.completedAt !== null ? Math.max(0, Math.round(run.completedAt - run.startedAt)) : null,
      environment: context.environment,
      newman_report_path: run.reportPath?.slice(0, 500) ?? null,
      ci_build_id: context.ciBuildId?.slice(0, 100) ?? null,
      executed_by: context.executedBy.slice(0, 100),
      results,
    });
  }
  return { cases, suites };
}

/**
 * The verdict of an api run. As `deriveRunStatus`, except that a run whose requests all got a
 * response but which has no assertion at all passed (Newman's own verdict) rather than being unknown.
 */
export function apiRunStatus(totals: Totals, suites: readonly ApiTestSuite[], options: { toolError?: boolean; interrupted?: boolean } = {}): RunStatus {
  // A run without a single assertion checked nothing: never a pass (see noAssertionsMessage).
  void suites;
  return deriveRunStatus(totals, options);
}

/**
 * Why a run without assertions is not a verdict: Newman passes a collection whose requests all got an
 * answer, but no `pm.test` checked any of them, and shopfds-test never invents a passing case.
 */
export function noAssertionsMessage(totals: Totals, suites: readonly ApiTestSuite[]): string | null {
  const requests = suites.reduce((n, s) => n + s.results.length, 0);
  if (totals.total > 0 || requests === 0) return null;
  return `no assertions: ${requests} request(s) got answers, but the collection has no pm.test to check them; add tests to get a verdict`;
}

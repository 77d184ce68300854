import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { ERROR_CODES, ToolError } from '../../model/index.js';
import type { LoadedCollection } from './collection.js';
import { bodyToText, decodeBody, describeRequestError, headersToEntries, type AssertionRecord, type CollectionRunRecord, type ExecutionRecord, type ScriptFailure } from './parse.js';
import type { HeaderEntry, VariableEntry } from './redact.js';

/*
 * Runs one collection with Newman as a library, in-process. The run events (start, beforeItem,
 * beforeRequest, request, script, assertion, console, item, done) are turned into plain execution
 * records as they arrive and drive the live progress. Newman's own reporters stay off (its CLI
 * reporter would print unredacted requests), except the HTML reporter when asked for.
 */

const require = createRequire(import.meta.url);

/** After an abort, Newman finishes the request in flight before `done`; wait at most this long. */
const ABORT_GRACE_MS = 3000;

export interface NewmanInfo {
  readonly version: string | null;
}

/** Checks Newman can be loaded and reads its version. */
export function detectNewman(): NewmanInfo {
  try {
    require.resolve('newman');
  } catch {
    throw new ToolError('newman is not installed', { hint: 'Install it next to shopfds-test: npm install newman', code: ERROR_CODES.toolMissing });
  }
  let version: string | null = null;
  try {
    version = (require('newman/package.json') as { version?: string }).version ?? null;
  } catch {
    version = null;
  }
  return { version };
}

/** Checks an HTML reporter for Newman is installed (newman-reporter-htmlextra). */
export function detectHtmlReporter(): string {
  try {
    require.resolve('newman-reporter-htmlextra');
    return 'htmlextra';
  } catch {
    throw new ToolError('--html needs the Newman HTML reporter, which is not installed', { hint: 'npm install newman-reporter-htmlextra', code: ERROR_CODES.toolMissing });
  }
}

export interface NewmanProgress {
  /** Requests planned (items x iterations), when known. */
  readonly total: number | null;
  readonly completed: number;
  /** Requests with at least one failure so far. */
  readonly failedRequests: number;
  /** The request in flight, `METHOD name`. */
  readonly current: string | null;
  /** The request that just completed. */
  readonly last: { readonly label: string; readonly code: number | null; readonly failures: number; readonly error: string | null } | null;
}

export interface NewmanRunRequest {
  readonly collection: LoadedCollection;
  readonly environment: Record<string, unknown> | null;
  readonly globals: Record<string, unknown> | null;
  /** Absolute path of a CSV or JSON iteration data file. */
  readonly iterationData: string | null;
  readonly iterationCount: number | null;
  readonly folders: readonly string[];
  readonly envVars: readonly HeaderEntry[];
  readonly timeoutRequestMs: number | null;
  readonly delayRequestMs: number | null;
  readonly bail: boolean;
  readonly insecure: boolean;
  readonly workingDir: string;
  /** Newman's HTML report (newman-reporter-htmlextra). */
  readonly html: { readonly path: string; readonly skipHeaders: readonly string[]; readonly skipVariables: readonly string[] } | null;
  readonly serviceName: string | null;
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: NewmanProgress) => void;
}

export interface NewmanRunResult {
  readonly record: CollectionRunRecord;
  /** Variable values at the end of the run (environment, globals, collection), to learn secrets from. */
  readonly finalVariables: readonly VariableEntry[];
}

interface MutableExecution {
  iteration: number;
  name: string;
  folderPath: string[];
  method: string;
  url: string;
  requestHeaders: HeaderEntry[];
  requestBody: string | null;
  response: ExecutionRecord['response'];
  requestError: ExecutionRecord['requestError'];
  scriptErrors: ScriptFailure[];
  assertions: AssertionRecord[];
  startedAt: number;
  durationMs: number;
  console: string[];
  finished: boolean;
  requested: boolean;
}

// Newman's run events carry postman-collection SDK objects; only the fields read here are typed.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Sdk = any;

function sdkJson(value: Sdk): unknown {
  return value && typeof value.toJSON === 'function' ? value.toJSON() : value;
}

function variableList(scope: Sdk): VariableEntry[] {
  const members = scope?.values?.members ?? scope?.variables?.members ?? scope?.members;
  if (!Array.isArray(members)) return [];
  return members.map((m: Sdk) => ({ key: m?.key, value: m?.value, type: m?.type }));
}

function folderPathsOf(collection: Sdk): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  if (!collection || typeof collection.forEachItem !== 'function') return paths;
  collection.forEachItem((item: Sdk) => {
    const path: string[] = [];
    let parent = typeof item.parent === 'function' ? item.parent() : undefined;
    while (parent && parent !== collection && typeof parent.parent === 'function') {
      path.unshift(String(parent.name ?? ''));
      parent = parent.parent();
    }
    paths.set(item.id, path);
  });
  return paths;
}

function formatConsole(level: unknown, messages: unknown[]): string {
  const text = messages
    .map((m) => {
      if (typeof m === 'string') return m;
      try {
        return JSON.stringify(m);
      } catch {
        return String(m);
      }
    })
    .join(' ');
  return `[${String(level)}] ${text}`;
}

/**
 * The options `newman.run` gets for a request: pure, so tests can assert exactly what Newman is
 * asked to do. Newman's own reporters stay off except the HTML one.
 */
export function buildNewmanOptions(request: Omit<NewmanRunRequest, 'signal' | 'onProgress'>): Record<string, unknown> {
  const options: Record<string, unknown> = {
    collection: request.collection.json,
    environment: request.environment ?? undefined,
    globals: request.globals ?? undefined,
    iterationData: request.iterationData ?? undefined,
    iterationCount: request.iterationCount ?? undefined,
    folder: request.folders.length === 0 ? undefined : request.folders.length === 1 ? request.folders[0] : [...request.folders],
    envVar: request.envVars.map((v) => ({ key: v.key, value: v.value })),
    timeoutRequest: request.timeoutRequestMs ?? undefined,
    delayRequest: request.delayRequestMs ?? undefined,
    bail: request.bail ? true : undefined,
    insecure: request.insecure ? true : undefined,
    workingDir: request.workingDir,
    reporters: [] as string[],
    reporter: {} as Record<string, unknown>,
  };
  if (request.html) {
    options.reporters = ['htmlextra'];
    options.reporter = {
      htmlextra: {
        export: request.html.path,
        displayProgressBar: false,
        skipHeaders: [...request.html.skipHeaders],
        skipEnvironmentVars: [...request.html.skipVariables],
        skipGlobalVars: [...request.html.skipVariables],
        title: request.collection.name,
        browserTitle: request.collection.name,
      },
    };
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options;
}

/** Runs one collection. Resolves once Newman is done (or shortly after an abort). */
export async function runNewmanCollection(request: NewmanRunRequest): Promise<NewmanRunResult> {
  const newman = (await import('newman')) as Sdk;
  const run = (newman.default ?? newman).run as (options: Sdk, callback: (err: unknown, summary: Sdk) => void) => Sdk;

  const options = buildNewmanOptions(request);

  const byRef = new Map<string, MutableExecution>();
  const order: MutableExecution[] = [];
  let paths = new Map<string, string[]>();
  let runtime: Sdk = null;
  let total: number | null = null;
  let cycles: number | null = null;
  let completed = 0;
  let failedRequests = 0;
  let current: MutableExecution | null = null;
  let startedAt: number | null = null;
  let newmanRunId: string | null = null;
  let aborted = false;
  const label = (e: MutableExecution) => `${e.method} ${e.name}`;
  const report = (last: NewmanProgress['last']) =>
    request.onProgress?.({ total, completed, failedRequests, current: current && !current.finished ? label(current) : null, last });

  const recordFor = (cursor: Sdk, item: Sdk): MutableExecution => {
    const ref = String(cursor?.ref ?? randomUUID());
    let e = byRef.get(ref);
    if (!e) {
      const req = item?.request;
      e = {
        iteration: typeof cursor?.iteration === 'number' ? cursor.iteration : 0,
        name: String(item?.name ?? '(unnamed request)'),
        folderPath: paths.get(item?.id) ?? [],
        method: String(req?.method ?? 'GET').toUpperCase(),
        url: req?.url ? String(req.url.toString()) : '',
        requestHeaders: [],
        requestBody: null,
        response: null,
        requestError: null,
        scriptErrors: [],
        assertions: [],
        startedAt: Date.now(),
        durationMs: 0,
        console: [],
        finished: false,
        requested: false,
      };
      byRef.set(ref, e);
      order.push(e);
    }
    return e;
  };

  let finalVariables: VariableEntry[] = [];
  let runError: string | null = null;

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const settle = () => {
      if (settled) return;
      settled = true;
      if (graceTimer) clearTimeout(graceTimer);
      request.signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      aborted = true;
      try {
        runtime?.abort?.();
      } catch {
        // The runtime may already be finishing.
      }
      graceTimer = setTimeout(settle, ABORT_GRACE_MS);
      graceTimer.unref?.();
    };
    let emitter: Sdk;
    try {
      emitter = run(options, (err: unknown, summary: Sdk) => {
        if (err) runError = err instanceof Error ? err.message : String(err);
        const summaryError = summary?.error ?? summary?.run?.error;
        if (!runError && summaryError) runError = summaryError instanceof Error ? summaryError.message : String(summaryError?.message ?? summaryError);
        finalVariables = [...variableList(summary?.environment), ...variableList(summary?.globals), ...variableList(summary?.collection?.variables ? { members: summary.collection.variables.members } : null)];
        settle();
      });
    } catch (error) {
      reject(new ToolError(`newman could not start the run of ${request.collection.path}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });

    emitter.on('start', (_err: unknown, o: Sdk) => {
      runtime = o?.run ?? null;
      startedAt = Date.now();
      newmanRunId = typeof o?.cursor?.ref === 'string' ? o.cursor.ref : randomUUID();
      if (typeof o?.cursor?.cycles === 'number') cycles = o.cursor.cycles;
      if (typeof o?.cursor?.length === 'number' && cycles !== null) total = o.cursor.length * cycles;
      paths = folderPathsOf(emitter.summary?.collection);
      if (aborted) runtime?.abort?.();
      report(null);
    });
    emitter.on('beforeItem', (_err: unknown, o: Sdk) => {
      current = recordFor(o?.cursor, o?.item);
      report(null);
    });
    emitter.on('beforeRequest', (_err: unknown, o: Sdk) => {
      const e = recordFor(o?.cursor, o?.item);
      if (o?.request?.url) e.url = String(o.request.url.toString());
      if (o?.request?.method) e.method = String(o.request.method).toUpperCase();
    });
    emitter.on('request', (err: unknown, o: Sdk) => {
      const e = recordFor(o?.cursor, o?.item);
      e.requested = true;
      const req = o?.request;
      if (req) {
        if (req.url) e.url = String(req.url.toString());
        if (req.method) e.method = String(req.method).toUpperCase();
        e.requestHeaders = headersToEntries(sdkJson(req.headers));
        e.requestBody = bodyToText(sdkJson(req.body));
      }
      const res = o?.response;
      if (res && typeof res.code === 'number') {
        const headers = headersToEntries(sdkJson(res.headers));
        const stream: Uint8Array | null = res.stream instanceof Uint8Array ? res.stream : null;
        e.response = {
          code: res.code,
          status: String(res.status ?? ''),
          responseTimeMs: typeof res.responseTime === 'number' ? res.responseTime : 0,
          headers,
          ...decodeBody(stream, headers),
        };
      }
      if (err) e.requestError = describeRequestError(err);
    });
    emitter.on('script', (err: Sdk, o: Sdk) => {
      if (!err) return;
      const listen = o?.event?.listen === 'prerequest' ? 'prerequest' : 'test';
      const e = recordFor(o?.cursor, o?.item);
      e.scriptErrors.push({ listen, name: String(err.name ?? 'Error'), message: String(err.message ?? err), stack: typeof err.stack === 'string' ? err.stack : null });
    });
    emitter.on('assertion', (err: Sdk, o: Sdk) => {
      const e = recordFor(o?.cursor, o?.item);
      e.assertions.push({
        name: String(o?.assertion ?? '(unnamed assertion)'),
        skipped: o?.skipped === true,
        error: err ? { name: String(err.name ?? 'AssertionError'), message: String(err.message ?? ''), stack: typeof err.stack === 'string' ? err.stack : null } : null,
      });
    });
    emitter.on('console', (_err: unknown, o: Sdk) => {
      const ref = o?.cursor?.ref;
      const e = ref ? byRef.get(String(ref)) : undefined;
      if (e && e.console.length < 200) e.console.push(formatConsole(o?.level, Array.isArray(o?.messages) ? o.messages : []));
    });
    emitter.on('item', (_err: unknown, o: Sdk) => {
      const e = recordFor(o?.cursor, o?.item);
      e.finished = true;
      e.durationMs = Date.now() - e.startedAt;
      completed++;
      const failures = e.assertions.filter((a) => a.error).length + e.scriptErrors.length + (e.requestError ? 1 : 0);
      if (failures) failedRequests++;
      report({ label: label(e), code: e.response?.code ?? null, failures, error: e.requestError?.message ?? null });
    });
  });

  const executions: ExecutionRecord[] = order.map((e) => ({
    iteration: e.iteration,
    name: e.name,
    folderPath: e.folderPath,
    method: e.method,
    url: e.url,
    requestHeaders: e.requestHeaders,
    requestBody: e.requestBody,
    response: e.response,
    requestError: e.requestError,
    scriptErrors: e.scriptErrors,
    assertions: e.assertions,
    startedAt: e.startedAt,
    durationMs: e.finished ? e.durationMs : Date.now() - e.startedAt,
    console: e.console,
    interrupted: aborted && !e.finished,
  }));
  return {
    record: {
      collectionId: request.collection.id,
      collectionName: request.collection.name,
      collectionPath: request.collection.path,
      serviceName: request.serviceName,
      iterations: cycles ?? request.iterationCount ?? 1,
      startedAt,
      completedAt: Date.now(),
      executions,
      runError: aborted ? null : runError,
      interrupted: aborted,
      newmanRunId,
      reportPath: request.html?.path ?? null,
    },
    finalVariables,
  };
}

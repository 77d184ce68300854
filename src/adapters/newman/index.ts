import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, computeTotals, type Artifact } from '../../model/index.js';
import type { ExecuteIo, Invocation, ToolAdapter, ToolEvent } from '../types.js';
import { checkIterationData, findCollections, findEnvironments, loadCollection, loadVariables, refersToVariable, requestedHosts, setsVariable, type LoadedCollection, type LoadedVariables } from './collection.js';
import { apiRunStatus, buildApiResults, learnSecrets, noAssertionsMessage, type CollectionRunRecord } from './parse.js';
import { REDACTED, Redactor, type HeaderEntry, type VariableEntry } from './redact.js';
import { detectHtmlReporter, detectNewman, runNewmanCollection, type NewmanProgress } from './run.js';

/** What `api` (and `demo`) asks for, after normalizing flags, environment and config. Everything is optional. */
export interface NewmanRequest {
  /** Collection files (relative to the working directory). Default: config api.collections, else every `*.postman_collection.json` in `collections/`. */
  readonly collections?: readonly string[];
  /** config api.collections: a collection file or a directory of them. */
  readonly configCollections?: string;
  /** Sets the `baseUrl` variable (--base-url or config baseUrl). Else `--env-var baseUrl=`, else the demo shop is started. */
  readonly baseUrl?: string;
  /** Postman environment file (config api.environment). */
  readonly environment?: string;
  readonly globals?: string;
  readonly iterationData?: string;
  readonly iterationCount?: number | string;
  readonly folder?: readonly string[];
  /** `key=value` pairs, applied over the environment. */
  readonly envVar?: readonly string[];
  /** Milliseconds (config api.timeoutRequestMs). */
  readonly timeoutRequest?: number | string;
  readonly delayRequest?: number | string;
  readonly bail?: boolean;
  readonly insecure?: boolean;
  /** Newman's HTML report (newman-reporter-htmlextra) to this file (`--newman-html`). */
  readonly newmanHtml?: string;
  /** api_test_suites.service_name (default: the collection's `service` variable, else its name). */
  readonly service?: string;
  /** Extra variable or field names to redact (config api.redact). */
  readonly redact?: readonly string[];
}

export interface NewmanPlan {
  readonly collections: readonly { readonly collection: LoadedCollection; readonly folders: readonly string[] }[];
  readonly environment: LoadedVariables | null;
  readonly globals: LoadedVariables | null;
  readonly iterationData: string | null;
  readonly iterationCount: number | null;
  readonly envVars: readonly HeaderEntry[];
  readonly timeoutRequestMs: number | null;
  readonly delayRequestMs: number | null;
  readonly html: string | null;
  readonly bail: boolean;
  readonly insecure: boolean;
  readonly service: string | undefined;
  readonly redact: readonly string[];
  readonly baseUrl: string | undefined;
}

const BUNDLED_COLLECTIONS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'collections');

/** Whether a collection file is one of the bundled example suites. */
function isBundled(absolutePath: string): boolean {
  return dirname(resolve(absolutePath)) === BUNDLED_COLLECTIONS;
}

function shownPath(cwd: string, absolutePath: string): string {
  const rel = relative(cwd, absolutePath);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolutePath;
}

function parseCount(value: number | string | undefined, flag: string, min: number): number | null {
  if (value === undefined || value === null || value === '') return null;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min} (got "${String(value)}")`);
  return n;
}

function parseEnvVars(pairs: readonly string[] | undefined): HeaderEntry[] {
  return (pairs ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env-var must be key=value (got "${pair}")`);
    return { key: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

function itemNames(items: unknown, out = new Set<string>()): Set<string> {
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const it = item as { name?: unknown; item?: unknown };
    if (typeof it.name === 'string') out.add(it.name);
    if (Array.isArray(it.item)) itemNames(it.item, out);
  }
  return out;
}

/** Reads and checks every input before anything starts: a bad file is a one-line usage error. */
export function resolveNewmanPlan(request: NewmanRequest, cwd: string): NewmanPlan {
  let files: string[];
  let defaultDir: string | null = null;
  if (request.collections?.length) {
    files = request.collections.map((f) => resolve(cwd, f));
  } else {
    const configured = request.configCollections ? resolve(cwd, request.configCollections) : null;
    if (configured && existsSync(configured) && statSync(configured).isFile()) files = [configured];
    else {
      const candidates = configured ? [configured] : [resolve(cwd, 'collections'), BUNDLED_COLLECTIONS];
      defaultDir = candidates.find((d) => findCollections(d).length > 0) ?? null;
      if (!defaultDir) {
        throw new UsageError(`no collections found in ${shownPath(cwd, candidates[0]!)} (*.postman_collection.json)`, {
          hint: 'Pass collection files as arguments: shopfds-test api my-api.postman_collection.json',
        });
      }
      files = findCollections(defaultDir);
    }
  }
  const collections = files.map((file) => loadCollection(shownPath(cwd, file), file));
  const empty = collections.find((c) => c.requestCount === 0);
  if (empty) throw new UsageError(`${empty.path}: the collection has no requests`);

  let environmentFile = request.environment;
  if (environmentFile === undefined && defaultDir) {
    const found = findEnvironments(defaultDir);
    if (found.length === 1) environmentFile = found[0];
  }
  const environment = environmentFile === undefined ? null : loadVariables(shownPath(cwd, resolve(cwd, environmentFile)), resolve(cwd, environmentFile), 'environment');
  const globals = request.globals === undefined ? null : loadVariables(request.globals, resolve(cwd, request.globals), 'globals');
  let iterationData: string | null = null;
  if (request.iterationData !== undefined) {
    iterationData = resolve(cwd, request.iterationData);
    checkIterationData(request.iterationData, iterationData);
  }

  const folders = [...(request.folder ?? [])];
  const selected = collections
    .map((collection) => {
      if (!folders.length) return { collection, folders: [] as string[] };
      const names = itemNames(collection.json.item);
      return { collection, folders: folders.filter((f) => names.has(f)) };
    })
    .filter((c) => !folders.length || c.folders.length > 0);
  if (folders.length) {
    const known = new Set(selected.flatMap((c) => c.folders));
    const missing = folders.filter((f) => !known.has(f));
    if (missing.length) {
      throw new UsageError(`--folder "${missing[0]}" is not a folder or request of ${collections.map((c) => c.path).join(', ')}`);
    }
  }

  const envVars = parseEnvVars(request.envVar);
  const html = request.newmanHtml === undefined ? null : resolve(cwd, request.newmanHtml);
  return {
    collections: selected,
    environment,
    globals,
    iterationData,
    iterationCount: parseCount(request.iterationCount, '--iteration-count', 1),
    envVars,
    timeoutRequestMs: parseCount(request.timeoutRequest, '--timeout-request', 0),
    delayRequestMs: parseCount(request.delayRequest, '--delay-request', 0),
    html,
    bail: request.bail === true,
    insecure: request.insecure === true,
    service: request.service,
    redact: request.redact ?? [],
    baseUrl: request.baseUrl,
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'collection';
}

function htmlPathFor(base: string, collection: LoadedCollection, count: number): string {
  if (count === 1) return base;
  const ext = extname(base) || '.html';
  return `${base.slice(0, base.length - extname(base).length)}-${slug(collection.name)}${ext}`;
}

function serviceNameOf(collection: LoadedCollection, given: string | undefined): string | null {
  if (given) return given;
  for (const v of collection.variables) {
    if (typeof v.key === 'string' && ['service', 'servicename', 'service_name'].includes(v.key.toLowerCase()) && typeof v.value === 'string' && v.value) return v.value;
  }
  return null;
}

/** The equivalent `newman run` command line, with secret values redacted. */
function newmanCommandLine(resolved: NewmanPlan, redactor: Redactor, baseUrl: string | null, cwd: string): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return resolved.collections
    .map(({ collection, folders }) => {
      const args = ['newman', 'run', collection.path];
      if (resolved.environment) args.push('-e', resolved.environment.path);
      if (resolved.globals) args.push('-g', resolved.globals.path);
      if (resolved.iterationData) args.push('-d', shownPath(cwd, resolved.iterationData));
      if (resolved.iterationCount !== null) args.push('-n', String(resolved.iterationCount));
      for (const f of folders) args.push('--folder', f);
      for (const v of [...resolved.envVars.filter((e) => e.key !== 'baseUrl'), ...(baseUrl !== null ? [{ key: 'baseUrl', value: baseUrl }] : [])]) {
        args.push('--env-var', `${v.key}=${redactor.isSensitiveKey(v.key) ? REDACTED : v.value}`);
      }
      if (resolved.timeoutRequestMs !== null) args.push('--timeout-request', String(resolved.timeoutRequestMs));
      if (resolved.delayRequestMs !== null) args.push('--delay-request', String(resolved.delayRequestMs));
      return redactor.text(args.map(quote).join(' '));
    })
    .join('; ');
}

function redactHtmlReport(path: string, redactor: Redactor): void {
  if (!existsSync(path)) return;
  writeFileSync(path, redactor.values(readFileSync(path, 'utf8')));
}

interface NewmanInvocation extends Invocation {
  readonly redactor: Redactor;
  readonly initialVariables: readonly VariableEntry[];
  readonly envVars: readonly HeaderEntry[];
  readonly baseUrl: string | null;
  readonly cwd: string;
}

interface NewmanCapture {
  readonly records: readonly CollectionRunRecord[];
  readonly finalVariables: readonly VariableEntry[];
  readonly artifacts: readonly Artifact[];
  readonly redactor: Redactor;
  readonly baseUrl: string | null;
  readonly cwd: string;
}

const SKIP_HEADERS = ['Authorization', 'authorization', 'Proxy-Authorization', 'proxy-authorization', 'Cookie', 'cookie', 'Set-Cookie', 'set-cookie', 'X-Api-Key', 'x-api-key', 'Api-Key', 'api-key', 'X-Auth-Token', 'x-auth-token'];

/** Runs the collections one after another with Newman in-process; Ctrl-C stops after the request in flight. */
async function executeNewman(inv: NewmanInvocation, io: ExecuteIo, plan: NewmanPlan): Promise<NewmanCapture> {
  const { redactor } = inv;
  const records: CollectionRunRecord[] = [];
  const finalVariables: VariableEntry[] = [];
  const artifacts: Artifact[] = [];
  for (const { collection, folders } of plan.collections) {
    if (io.signal.aborted) break;
    const name = redactor.text(collection.name);
    const against = inv.baseUrl !== null && refersToVariable(collection, 'baseUrl') ? ` against ${redactor.text(inv.baseUrl)}` : '';
    io.emit({ type: 'begin', total: null, label: `api: running "${name}" (${collection.path})${against}` });
    const html = plan.html ? htmlPathFor(plan.html, collection, plan.collections.length) : null;
    let current: string | null = null;
    const onProgress = (p: NewmanProgress) => {
      if (p.last) {
        const outcome = p.last.error ? redactor.text(p.last.error) : p.last.code !== null ? String(p.last.code) : 'no response';
        const failures = p.last.failures ? ` (${p.last.failures} failure${p.last.failures === 1 ? '' : 's'})` : '';
        io.emit({ type: 'case-end', name: redactor.text(p.last.label), group: name, outcome: p.last.failures ? 'failed' : 'passed', durationMs: null, detail: `${outcome}${failures}` });
      }
      if (p.current && p.current !== current) io.emit({ type: 'case-begin', name: redactor.text(p.current), group: name, retry: 0 });
      current = p.current;
    };
    const result = await runNewmanCollection({
      collection,
      environment: plan.environment?.json ?? null,
      globals: plan.globals?.json ?? null,
      iterationData: plan.iterationData,
      iterationCount: plan.iterationCount,
      folders,
      envVars: inv.envVars,
      timeoutRequestMs: plan.timeoutRequestMs,
      delayRequestMs: plan.delayRequestMs,
      bail: plan.bail,
      insecure: plan.insecure,
      workingDir: inv.cwd,
      html: html
        ? {
            path: html,
            skipHeaders: SKIP_HEADERS,
            skipVariables: inv.initialVariables.filter((v) => typeof v.key === 'string' && (v.type === 'secret' || redactor.isSensitiveKey(v.key))).map((v) => v.key as string),
          }
        : null,
      serviceName: serviceNameOf(collection, plan.service),
      signal: io.signal,
      onProgress,
    });
    records.push(result.record);
    finalVariables.push(...result.finalVariables);
    if (html && existsSync(html)) artifacts.push({ name: basename(html), kind: 'report', contentType: 'text/html', path: shownPath(inv.cwd, html), attempt: null });
  }
  io.emit({ type: 'end' });
  return { records, finalVariables, artifacts, redactor, baseUrl: inv.baseUrl, cwd: inv.cwd };
}

function describeNewman(event: ToolEvent): string | null {
  switch (event.type) {
    case 'begin':
      return event.label;
    case 'case-begin':
      return `api ${event.group ?? ''}: ${event.name}`;
    case 'case-end':
      return `${event.name} → ${event.detail ?? ''}`;
    case 'note':
      return event.text;
    case 'phase':
      return `api: ${event.phase}`;
    default:
      return null;
  }
}

/** Newman (Postman collections), run in-process as a library; one result per request, every pm.test a case. */
export const adapter: ToolAdapter<NewmanRequest, NewmanPlan, NewmanInvocation, NewmanCapture> = {
  name: 'newman',
  kind: 'api',
  resolve: (request, at) => resolveNewmanPlan(request, at.cwd),
  async detect(_at, plan) {
    const newman = detectNewman();
    if (plan.html) detectHtmlReporter();
    return { name: 'newman', version: newman.version, path: null };
  },
  // --base-url (or config baseUrl), else an explicit --env-var baseUrl=..., else what the environment,
  // globals or collection set. The demo shop starts only for a collection that refers to {{baseUrl}}
  // when nothing sets it; a collection on its own variable ({{APIURL}}) gets no target at all.
  target(plan, given) {
    const envBaseUrl = plan.envVars.filter((v) => v.key === 'baseUrl').at(-1)?.value;
    if (given.baseUrl === undefined && plan.baseUrl === undefined && envBaseUrl !== undefined) return { mode: 'given', baseUrl: envBaseUrl };
    if (given.baseUrl !== undefined || plan.baseUrl !== undefined) return { mode: 'resolve', baseUrl: given.baseUrl ?? plan.baseUrl };
    const uses = plan.collections.some(({ collection }) => refersToVariable(collection, 'baseUrl'));
    // The bundled example collections are the demo shop's own suite: the address their files carry is
    // the demo's default, a placeholder for the shop this command starts.
    const bundled = plan.collections.every(({ collection }) => isBundled(collection.absolutePath));
    const setByFiles =
      !bundled &&
      (setsVariable([...(plan.environment?.values ?? []), ...(plan.globals?.values ?? [])], 'baseUrl') ||
        plan.collections.every(({ collection }) => setsVariable(collection.variables, 'baseUrl')));
    if (!uses || setByFiles) return { mode: 'none' };
    return { mode: 'resolve' };
  },
  buildInvocation(plan, at) {
    const redactor = new Redactor({ extraNames: plan.redact.length ? [...plan.redact] : undefined });
    const initialVariables: VariableEntry[] = [
      ...(plan.environment?.values ?? []),
      ...(plan.globals?.values ?? []),
      ...plan.collections.flatMap((c) => c.collection.variables),
      ...plan.envVars.map((v) => ({ key: v.key, value: v.value })),
    ];
    redactor.learnVariables(initialVariables);
    const baseUrl = at.baseUrl;
    if (baseUrl !== null) redactor.learnUrl(baseUrl);
    const envVars = [...plan.envVars.filter((v) => v.key !== 'baseUrl'), ...(baseUrl !== null ? [{ key: 'baseUrl', value: baseUrl }] : [])];
    return { redactor, initialVariables, envVars, baseUrl, cwd: at.cwd, commandLine: newmanCommandLine(plan, redactor, baseUrl, at.cwd) };
  },
  execute: executeNewman,
  describe: describeNewman,
  parse(capture, plan, at) {
    const { redactor, records } = capture;
    // Learn every secret the run saw, then redact everything in one pass.
    learnSecrets(redactor, records, capture.finalVariables);
    for (const record of records) if (record.reportPath) redactHtmlReport(record.reportPath, redactor);
    const storedRecords = records.map((r) => ({ ...r, reportPath: r.reportPath && existsSync(r.reportPath) ? shownPath(capture.cwd, r.reportPath) : null }));
    const { cases, suites } = buildApiResults(storedRecords, redactor, {
      environment: at.run.environment,
      executedBy: at.run.executedBy,
      ciBuildId: at.run.ci?.buildId ?? null,
      fallbackStartedAt: at.run.startedAt,
    });
    const interrupted = at.interrupted || records.some((r) => r.interrupted);
    const runErrors = records.filter((r) => r.runError !== null).map((r) => `${r.collectionPath}: ${r.runError}`);
    const names = plan.collections.map((c) => c.collection.name);
    const toolError = runErrors.length ? redactor.text(runErrors.join('; ')) : null;
    return {
      type: 'run',
      outcome: {
        name: redactor.text(at.requestedName ?? (names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', '))),
        cases,
        details: { kind: 'api', api: { suites } },
        status: apiRunStatus(computeTotals(cases), suites, { interrupted, toolError: toolError !== null }),
        artifacts: capture.artifacts,
        metadata: {
          ...(capture.baseUrl !== null ? { base_url: redactor.text(capture.baseUrl) } : {}),
          target: at.demo ? 'demo shop' : capture.baseUrl !== null ? 'given' : 'collection',
          // The hosts the requests actually went to, whatever variable named them.
          hosts: requestedHosts(records.flatMap((r) => r.executions.map((e) => redactor.url(e.url)))).join(', '),
          collections: plan.collections.map((c) => c.collection.path).join(', '),
          ...(plan.environment ? { environment_file: plan.environment.path } : {}),
          iterations: String(Math.max(1, ...records.map((r) => r.iterations))),
        },
        toolError,
        interrupted,
        errorMessage: interrupted
          ? `interrupted by ${at.interruptedBy ?? 'a signal'} after ${records.reduce((n, r) => n + r.executions.length, 0)} requests`
          : (toolError ?? noAssertionsMessage(computeTotals(cases), suites)),
      },
    };
  },
};

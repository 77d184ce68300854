import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, computeTotals, deriveRunStatus, type Artifact, type RunInput } from '../../model/index.js';
import { checkIterationData, findCollections, findEnvironments, loadCollection, loadVariables, type LoadedCollection, type LoadedVariables } from '../../adapters/newman/collection.js';
import { buildApiResults, learnSecrets, type CollectionRunRecord } from '../../adapters/newman/parse.js';
import { REDACTED, Redactor, type HeaderEntry, type VariableEntry } from '../../adapters/newman/redact.js';
import { detectHtmlReporter, detectNewman, runNewmanCollection, type NewmanProgress } from '../../adapters/newman/run.js';
import type { CommandContext } from '../context.js';
import { finishRun, startRun } from '../session.js';
import { resolveTarget } from '../target.js';

/** What `runApiSuite` runs. Everything is optional: the defaults run the bundled collections against the demo shop. */
export interface ApiSuiteRequest {
  /** Collection files (relative to the working directory). Default: every `*.postman_collection.json` in `collections/`. */
  readonly collections?: readonly string[];
  /** Sets the `baseUrl` variable. Without it (and without config `baseUrl` or `--env-var baseUrl=`) the demo shop is started. */
  readonly baseUrl?: string;
  readonly environment?: string;
  readonly globals?: string;
  readonly iterationData?: string;
  readonly iterationCount?: number | string;
  readonly folder?: readonly string[];
  /** `key=value` pairs, applied over the environment. */
  readonly envVar?: readonly string[];
  readonly timeoutRequest?: number | string;
  readonly delayRequest?: number | string;
  readonly bail?: boolean;
  readonly insecure?: boolean;
  /** Newman's HTML report (newman-reporter-htmlextra) to this file. */
  readonly html?: string;
  /** api_test_suites.service_name (default: the collection's `service` variable, else its name). */
  readonly service?: string;
  /** local, staging or production. */
  readonly env?: string;
  readonly runGroup?: string | null;
  /** Run name (default: the collection names). */
  readonly name?: string;
}

export interface ApiActionOptions extends Omit<ApiSuiteRequest, 'collections'> {
  readonly junit?: string;
  readonly markdown?: string;
}

interface ResolvedApiRequest {
  readonly collections: readonly { readonly collection: LoadedCollection; readonly folders: readonly string[] }[];
  readonly environment: LoadedVariables | null;
  readonly globals: LoadedVariables | null;
  readonly iterationData: string | null;
  readonly iterationCount: number | null;
  readonly envVars: readonly HeaderEntry[];
  readonly timeoutRequestMs: number | null;
  readonly delayRequestMs: number | null;
  readonly html: string | null;
}

const BUNDLED_COLLECTIONS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'collections');

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
function resolveApiRequest(ctx: CommandContext, request: ApiSuiteRequest): ResolvedApiRequest {
  const cwd = ctx.io.cwd;
  const config = ctx.globals.config.api ?? {};
  let files: string[];
  let defaultDir: string | null = null;
  if (request.collections?.length) {
    files = request.collections.map((f) => resolve(cwd, f));
  } else {
    const configured = config.collections ? resolve(cwd, config.collections) : null;
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

  let environmentFile = request.environment ?? config.environment;
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
  const html = request.html === undefined ? null : resolve(cwd, request.html);
  return {
    collections: selected,
    environment,
    globals,
    iterationData,
    iterationCount: parseCount(request.iterationCount, '--iteration-count', 1),
    envVars,
    timeoutRequestMs: parseCount(request.timeoutRequest, '--timeout-request', 0) ?? config.timeoutRequestMs ?? null,
    delayRequestMs: parseCount(request.delayRequest, '--delay-request', 0),
    html,
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
function newmanCommandLine(resolved: ResolvedApiRequest, redactor: Redactor, baseUrl: string, cwd: string): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return resolved.collections
    .map(({ collection, folders }) => {
      const args = ['newman', 'run', collection.path];
      if (resolved.environment) args.push('-e', resolved.environment.path);
      if (resolved.globals) args.push('-g', resolved.globals.path);
      if (resolved.iterationData) args.push('-d', shownPath(cwd, resolved.iterationData));
      if (resolved.iterationCount !== null) args.push('-n', String(resolved.iterationCount));
      for (const f of folders) args.push('--folder', f);
      for (const v of [...resolved.envVars.filter((e) => e.key !== 'baseUrl'), { key: 'baseUrl', value: baseUrl }]) {
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

/**
 * Runs the API suite (Newman collections) and returns the completed run, not yet saved: the `api`
 * command saves and prints it, `demo` combines it with the other suites. On Ctrl-C the run stops
 * after the request in flight and comes back with status `interrupted`.
 */
export async function runApiSuite(ctx: CommandContext, request: ApiSuiteRequest = {}): Promise<RunInput> {
  const resolved = resolveApiRequest(ctx, request);
  const start = startRun(ctx, 'api', { env: request.env, runGroup: request.runGroup });
  const newman = detectNewman();
  if (resolved.html) detectHtmlReporter();

  const redactor = new Redactor({ extraNames: ctx.globals.config.api?.redact });
  const initialVariables: VariableEntry[] = [
    ...(resolved.environment?.values ?? []),
    ...(resolved.globals?.values ?? []),
    ...resolved.collections.flatMap((c) => c.collection.variables),
    ...resolved.envVars.map((v) => ({ key: v.key, value: v.value })),
  ];
  redactor.learnVariables(initialVariables);

  // --base-url, else an explicit --env-var baseUrl=..., else config baseUrl or the demo shop.
  const envBaseUrl = resolved.envVars.filter((v) => v.key === 'baseUrl').at(-1)?.value;
  let baseUrl: string;
  let demo = false;
  if (request.baseUrl === undefined && envBaseUrl !== undefined) {
    baseUrl = envBaseUrl;
  } else {
    const target = await resolveTarget(ctx, request.baseUrl);
    baseUrl = target.baseUrl;
    demo = target.demo;
  }
  redactor.learnUrl(baseUrl);
  const envVars = [...resolved.envVars.filter((v) => v.key !== 'baseUrl'), { key: 'baseUrl', value: baseUrl }];

  const plain = !ctx.globals.interactive && !ctx.globals.json;
  const records: CollectionRunRecord[] = [];
  const finalVariables: VariableEntry[] = [];
  const artifacts: Artifact[] = [];
  for (const { collection, folders } of resolved.collections) {
    if (ctx.signal.aborted) break;
    const name = redactor.text(collection.name);
    if (plain) ctx.progress.line(`api: running "${name}" (${collection.path}) against ${redactor.text(baseUrl)}`);
    const html = resolved.html ? htmlPathFor(resolved.html, collection, resolved.collections.length) : null;
    const onProgress = (p: NewmanProgress) => {
      if (ctx.globals.interactive) {
        const counts = `${p.completed}${p.total !== null ? `/${p.total}` : ''} requests, ${p.failedRequests} failed`;
        ctx.progress.update(`api ${name}: ${counts}${p.current ? ` · ${redactor.text(p.current)}` : ''}`);
      } else if (plain && p.last) {
        const outcome = p.last.error ? redactor.text(p.last.error) : p.last.code !== null ? String(p.last.code) : 'no response';
        const failures = p.last.failures ? ` (${p.last.failures} failure${p.last.failures === 1 ? '' : 's'})` : '';
        ctx.progress.line(`  ${p.last.failures ? '✗' : '✓'} ${redactor.text(p.last.label)} → ${outcome}${failures}`);
      }
    };
    const result = await runNewmanCollection({
      collection,
      environment: resolved.environment?.json ?? null,
      globals: resolved.globals?.json ?? null,
      iterationData: resolved.iterationData,
      iterationCount: resolved.iterationCount,
      folders,
      envVars,
      timeoutRequestMs: resolved.timeoutRequestMs,
      delayRequestMs: resolved.delayRequestMs,
      bail: request.bail === true,
      insecure: request.insecure === true,
      workingDir: ctx.io.cwd,
      html: html
        ? {
            path: html,
            skipHeaders: ['Authorization', 'authorization', 'Proxy-Authorization', 'proxy-authorization', 'Cookie', 'cookie', 'Set-Cookie', 'set-cookie', 'X-Api-Key', 'x-api-key', 'Api-Key', 'api-key', 'X-Auth-Token', 'x-auth-token'],
            skipVariables: initialVariables.filter((v) => typeof v.key === 'string' && (v.type === 'secret' || redactor.isSensitiveKey(v.key))).map((v) => v.key as string),
          }
        : null,
      serviceName: serviceNameOf(collection, request.service),
      signal: ctx.signal,
      onProgress,
    });
    ctx.progress.stop();
    records.push(result.record);
    finalVariables.push(...result.finalVariables);
    if (html && existsSync(html)) artifacts.push({ name: basename(html), kind: 'report', contentType: 'text/html', path: shownPath(ctx.io.cwd, html), attempt: null });
  }

  // Learn every secret the run saw, then redact everything in one pass.
  learnSecrets(redactor, records, finalVariables);
  for (const record of records) if (record.reportPath) redactHtmlReport(record.reportPath, redactor);
  const storedRecords = records.map((r) => ({ ...r, reportPath: r.reportPath && existsSync(r.reportPath) ? shownPath(ctx.io.cwd, r.reportPath) : null }));
  const { cases, suites } = buildApiResults(storedRecords, redactor, {
    environment: start.environment,
    executedBy: start.executedBy,
    ciBuildId: start.ci?.buildId ?? null,
    fallbackStartedAt: start.startedAt,
  });
  const totals = computeTotals(cases);
  const interrupted = ctx.signal.aborted || records.some((r) => r.interrupted);
  const runErrors = records.filter((r) => r.runError !== null).map((r) => `${r.collectionPath}: ${r.runError}`);
  const completedAt = new Date().toISOString();
  const names = resolved.collections.map((c) => c.collection.name);
  return {
    id: start.id,
    kind: 'api',
    name: redactor.text(request.name ?? (names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', '))),
    status: deriveRunStatus(totals, { interrupted, toolError: runErrors.length > 0 }),
    startedAt: start.startedAt,
    completedAt,
    durationMs: Math.max(0, Date.parse(completedAt) - Date.parse(start.startedAt)),
    environment: start.environment,
    trigger: start.trigger,
    executedBy: start.executedBy,
    ci: start.ci,
    tool: { name: 'newman', version: newman.version, commandLine: newmanCommandLine(resolved, redactor, baseUrl, ctx.io.cwd) },
    totals,
    errorMessage: interrupted
      ? `interrupted by ${ctx.interruptedBy() ?? 'a signal'} after ${records.reduce((n, r) => n + r.executions.length, 0)} requests`
      : runErrors.length
        ? redactor.text(runErrors.join('; '))
        : null,
    runGroup: start.runGroup,
    shard: null,
    artifacts,
    metadata: {
      base_url: redactor.text(baseUrl),
      target: demo ? 'demo shop' : 'given',
      collections: resolved.collections.map((c) => c.collection.path).join(', '),
      ...(resolved.environment ? { environment_file: resolved.environment.path } : {}),
      iterations: String(Math.max(1, ...records.map((r) => r.iterations))),
    },
    cases,
    metrics: [],
    e2e: null,
    api: { suites },
    perf: null,
    chaos: null,
    canary: null,
  };
}

/** `shopfds-test api [collection...]`. */
export async function apiAction(ctx: CommandContext, collections: string[], options: ApiActionOptions): Promise<number> {
  const run = await runApiSuite(ctx, { ...options, collections });
  return finishRun(ctx, run, { junit: options.junit, markdown: options.markdown });
}

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../model/index.js';
import type { VariableEntry } from './redact.js';

/*
 * Input files of a Newman run, read and checked before anything runs, so that a bad file is one
 * line naming it (exit 2) and nothing is started or stored.
 */

/** A collection file, parsed and checked to be Postman Collection v2.0/v2.1. */
export interface LoadedCollection {
  /** The path as given on the command line (shown in messages and stored). */
  readonly path: string;
  readonly absolutePath: string;
  readonly json: Record<string, unknown>;
  readonly id: string | null;
  readonly name: string;
  readonly schemaVersion: string;
  readonly variables: readonly VariableEntry[];
  /** Folder names at any depth, for checking --folder. */
  readonly folders: ReadonlySet<string>;
  readonly requestCount: number;
}

/** An environment or globals file. */
export interface LoadedVariables {
  readonly path: string;
  readonly json: Record<string, unknown>;
  readonly values: readonly VariableEntry[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(path: string, absolutePath: string, what: string): unknown {
  if (!existsSync(absolutePath)) throw new UsageError(`${path}: no such ${what} file`);
  if (!statSync(absolutePath).isFile()) throw new UsageError(`${path}: not a file`);
  const text = readFileSync(absolutePath, 'utf8');
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new UsageError(`${path}: the ${what} is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

function walkItems(items: unknown, folders: Set<string>): number {
  if (!Array.isArray(items)) return 0;
  let requests = 0;
  for (const item of items) {
    if (!isObject(item)) continue;
    if (Array.isArray(item.item)) {
      if (typeof item.name === 'string') folders.add(item.name);
      requests += walkItems(item.item, folders);
    } else requests++;
  }
  return requests;
}

/** Reads and checks a Postman collection file (v2.0 or v2.1). */
export function loadCollection(path: string, absolutePath: string): LoadedCollection {
  const json = readJson(path, absolutePath, 'collection');
  if (!isObject(json)) throw new UsageError(`${path}: not a Postman collection (expected a JSON object with "info" and "item")`);
  if (!isObject(json.info)) {
    if (Array.isArray(json.requests) || Array.isArray(json.order)) {
      throw new UsageError(`${path}: Postman Collection v1 is not supported; export the collection as v2.1 from Postman`);
    }
    if (isObject(json.run) && isObject(json.collection)) throw new UsageError(`${path}: this is a Newman run report, not a collection (import it with "import --format newman-json")`);
    throw new UsageError(`${path}: not a Postman collection (expected a JSON object with "info" and "item")`);
  }
  const schema = typeof json.info.schema === 'string' ? json.info.schema : '';
  const version = /\/collection\/v(\d+\.\d+)(?:\.\d+)?\//.exec(schema)?.[1];
  if (!version) throw new UsageError(`${path}: info.schema does not name a Postman collection format (got "${schema}"); expected v2.0 or v2.1`);
  if (!version.startsWith('2.')) throw new UsageError(`${path}: Postman Collection v${version} is not supported; expected v2.0 or v2.1`);
  if (!Array.isArray(json.item)) throw new UsageError(`${path}: not a Postman collection ("item" must be an array)`);
  const folders = new Set<string>();
  const requestCount = walkItems(json.item, folders);
  const name = typeof json.info.name === 'string' && json.info.name.trim() ? json.info.name : path;
  const id = typeof json.info._postman_id === 'string' ? json.info._postman_id : typeof json.info.id === 'string' ? json.info.id : null;
  const variables = Array.isArray(json.variable) ? (json.variable.filter(isObject) as VariableEntry[]) : [];
  return { path, absolutePath, json, id, name, schemaVersion: version, variables, folders, requestCount };
}

/** Reads and checks a Postman environment or globals file. */
export function loadVariables(path: string, absolutePath: string, what: 'environment' | 'globals'): LoadedVariables {
  const json = readJson(path, absolutePath, what);
  if (!isObject(json) || !Array.isArray(json.values)) {
    throw new UsageError(`${path}: not a Postman ${what} file (expected a JSON object with a "values" array)`);
  }
  const values = json.values.filter(isObject) as VariableEntry[];
  return { path, json, values };
}

/** Checks an iteration data file (CSV or JSON) exists and, when JSON, parses to an array. */
export function checkIterationData(path: string, absolutePath: string): void {
  if (!existsSync(absolutePath)) throw new UsageError(`${path}: no such iteration data file`);
  if (!statSync(absolutePath).isFile()) throw new UsageError(`${path}: not a file`);
  if (absolutePath.toLowerCase().endsWith('.json')) {
    const json = readJson(path, absolutePath, 'iteration data');
    if (!Array.isArray(json)) throw new UsageError(`${path}: iteration data must be a JSON array of objects`);
  }
}

/** The collection files of a directory (`*.postman_collection.json`), sorted. */
export function findCollections(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.postman_collection.json'))
    .sort()
    .map((f) => join(dir, f));
}

/** The environment files of a directory (`*.postman_environment.json`), sorted. */
export function findEnvironments(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.postman_environment.json'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * Whether a collection refers to a variable (`{{name}}` anywhere in its requests or scripts, or
 * `pm.*.get('name')` in a script).
 */
export function refersToVariable(collection: LoadedCollection, name: string): boolean {
  const text = JSON.stringify(collection.json);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\{\\{\\s*${escaped}\\s*\\}\\}|\\.get\\(\\s*\\\\?['"\`]${escaped}\\\\?['"\`]\\s*\\)`).test(text);
}

/** Whether a variable list sets `name` to a non-empty value (enabled entries only). */
export function setsVariable(values: readonly VariableEntry[], name: string): boolean {
  return values.some((v) => v.key === name && (v as { enabled?: boolean }).enabled !== false && v.value !== undefined && v.value !== null && String(v.value) !== '');
}

/** The scheme and host of each URL, in first-seen order: the hosts a run actually requested. */
export function requestedHosts(urls: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const u of urls) {
    try {
      const url = new URL(u);
      hosts.add(`${url.protocol}//${url.host}`);
    } catch {
      // Not an absolute URL (an unresolved {{variable}}): no host to record.
    }
  }
  return [...hosts];
}

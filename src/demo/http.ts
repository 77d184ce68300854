import type { IncomingMessage, ServerResponse } from 'node:http';
import { ShopError } from './store.js';

const MAX_BODY_BYTES = 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ShopError, headers: Record<string, string> = {}): void {
  const body: { code: string; message: string; details?: unknown } = { code: error.code, message: error.message };
  if (error.details) body.details = error.details;
  sendJson(res, error.status, { error: body }, headers);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

/** Reads a JSON object body. Malformed JSON, a non-object body or an empty body is a 400. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ShopError(413, 'payload_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ShopError(400, 'invalid_json', 'Request body must be a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ShopError(400, 'invalid_json', `Malformed JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShopError(400, 'invalid_json', 'Request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      out[name] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : '';
}

/**
 * Collects field problems of one request body so a client sees all of them in one 422
 * (`details: [{ field, message }]`) instead of fixing them one by one.
 */
export class BodyValidator {
  readonly issues: { field: string; message: string }[] = [];

  constructor(private readonly body: Record<string, unknown>) {}

  string(field: string, opts: { min?: number; max?: number; pattern?: RegExp; patternMessage?: string; optional?: boolean } = {}): string {
    const value = getPath(this.body, field);
    if (value === undefined || value === null) {
      if (!opts.optional) this.issues.push({ field, message: 'is required' });
      return '';
    }
    if (typeof value !== 'string') {
      this.issues.push({ field, message: 'must be a string' });
      return '';
    }
    const trimmed = value.trim();
    const min = opts.min ?? (opts.optional ? 0 : 1);
    if (trimmed.length < min) this.issues.push({ field, message: min <= 1 ? 'must not be empty' : `must be at least ${min} characters` });
    else if (opts.max !== undefined && trimmed.length > opts.max) this.issues.push({ field, message: `must be at most ${opts.max} characters` });
    else if (opts.pattern && !opts.pattern.test(trimmed)) this.issues.push({ field, message: opts.patternMessage ?? 'has an invalid format' });
    return trimmed;
  }

  int(field: string, opts: { min: number; max: number; optional?: boolean; fallback?: number }): number {
    const value = getPath(this.body, field);
    if (value === undefined || value === null) {
      if (!opts.optional) this.issues.push({ field, message: 'is required' });
      return opts.fallback ?? 0;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.issues.push({ field, message: 'must be an integer' });
      return opts.fallback ?? 0;
    }
    if (value < opts.min || value > opts.max) this.issues.push({ field, message: `must be from ${opts.min} to ${opts.max}` });
    return value;
  }

  bool(field: string): boolean | undefined {
    const value = getPath(this.body, field);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.issues.push({ field, message: 'must be a boolean' });
      return undefined;
    }
    return value;
  }

  object(field: string): boolean {
    const value = getPath(this.body, field);
    if (value === undefined || value === null) {
      this.issues.push({ field, message: 'is required' });
      return false;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.issues.push({ field, message: 'must be an object' });
      return false;
    }
    return true;
  }

  has(field: string): boolean {
    const value = getPath(this.body, field);
    return value !== undefined && value !== null;
  }

  /** Throws the 422 when any field failed. */
  done(): void {
    if (this.issues.length > 0) {
      const summary = this.issues.map((i) => `${i.field} ${i.message}`).join('; ');
      throw new ShopError(422, 'validation_failed', `Invalid request: ${summary}`, this.issues);
    }
  }
}

function getPath(body: Record<string, unknown>, field: string): unknown {
  let cur: unknown = body;
  for (const key of field.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

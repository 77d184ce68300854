import type { RunInput } from './run.js';

const MASK = '***';
/** Values an adapter has masked already (Newman's redactor writes `[REDACTED]`). */
const ALREADY_MASKED = /^["']?(\*\*\*|\[REDACTED\])["']?$/;

/** Names whose values are secrets wherever they appear as `NAME=value`. */
// `pass` and `auth` only as whole words or prefixes of their secret forms: `passes`, `passed` and `author` are not secrets.
const SECRET_NAME = /(pass(?:word|wd|phrase)?(?![a-z])|secret|token|api[-_]?key|auth(?:orization|entication)?(?![a-z])|credential|private[-_]?key|session|cookie)/i;
/**
 * Names whose values are secrets in `name: value` and `"name": "value"` forms. Narrower than
 * {@link SECRET_NAME}: a colon follows many ordinary words in prose (`author: ...`).
 */
const SECRET_KEY = /^["']?[A-Za-z0-9_.-]*(pass(word|wd)|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?|authorization|cookie)["']?$/i;

/** Metadata key under which {@link redactRunSecrets} counts the characters it replaced. */
export const REPLACED_CHARACTERS_KEY = 'text.replacedCharacters';

/** Masks the password of every `scheme://user:password@host` in a text. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+):([^\s@/'"]+)@/gi, `$1:${MASK}@`);
}

/** Masks the value of `NAME=value` pairs whose name says they hold a secret (`-e API_TOKEN=...`, `?password=...`). */
export function redactSecretAssignments(text: string): string {
  return text.replace(/(^|[\s"'?&;,({[/:])([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|\[REDACTED\]|[^\s"'&;,)}\]]+)/g, (all, lead: string, name: string, value: string) =>
    SECRET_NAME.test(name) && !ALREADY_MASKED.test(value) ? `${lead}${name}=${MASK}` : all,
  );
}

/** Both of the above: for command lines, URLs and free-form metadata. */
export function redactSecrets(text: string): string {
  return redactSecretAssignments(redactUrlCredentials(text));
}

/** PEM private-key blocks, also when the end line is missing (output cut off). */
const PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END \1PRIVATE KEY\2-----|$)/g;
/** `Authorization: Bearer <token>`, `Bearer <token>` in prose, `Basic <base64>`. */
const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)/g;
/** A JSON Web Token: three base64url parts, the first a JSON header (`eyJ`). */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** AWS access key ids (long-term `AKIA`, temporary `ASIA`, and the other IAM prefixes). */
const AWS_ACCESS_KEY = /\b(AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g;
/** An AWS secret access key near its name (`aws_secret_access_key = ...`, `"SecretAccessKey": "..."`). */
const AWS_SECRET = /(secret[-_ ]?access[-_ ]?key["']?\s*[:=]\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;
/** `name: value` and `"name": "value"` pairs whose name holds a secret (headers, YAML, JSON). */
const KEY_VALUE = /(["']?[A-Za-z0-9_.-]+["']?)(\s*:\s*)("[^"\n]*"|'[^'\n]*'|[^\s,;}\]]+(?:[ \t]+[^\s,;}\]]+)*)/g;
/** Cheap test for whether a text can hold anything the patterns above mask. */
const MAYBE_SECRET = /[=:@]|BEGIN|Bearer|Basic|Token|Digest|eyJ|A[A-Z]{3}[A-Z0-9]{16}/;

/**
 * Masks every secret format the run redactor knows in a free text: URL credentials, secret-named
 * assignments and `name: value` pairs (headers, JSON, YAML), bearer/basic tokens, JWTs, AWS access
 * key ids and secret keys, and PEM private-key blocks.
 */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  if (out.includes('PRIVATE KEY')) {
    out = out.replace(PRIVATE_KEY, (_all, type: string, block: string | undefined) => `-----BEGIN ${type}PRIVATE KEY${block ?? ''}-----${MASK}-----END ${type}PRIVATE KEY${block ?? ''}-----`);
  }
  out = out.replace(JWT, MASK);
  out = out.replace(AUTH_SCHEME, (all, scheme: string, space: string, value: string) => {
    // "Basic authentication" is prose; a credential has digits or base64 padding, or is long.
    if (scheme !== 'Bearer' && value.length < 20 && !/[0-9+/=]/.test(value)) return all;
    return `${scheme}${space}${MASK}`;
  });
  out = out.replace(AWS_ACCESS_KEY, MASK);
  out = out.replace(AWS_SECRET, `$1${MASK}`);
  if (out.includes(':')) {
    out = out.replace(KEY_VALUE, (all, key: string, sep: string, value: string) => {
      if (!SECRET_KEY.test(key) || ALREADY_MASKED.test(value) || /^(Bearer|Basic|Token|Digest) \*\*\*$/.test(value)) return all;
      // Keep the scheme of an Authorization header so the text still reads right.
      const scheme = /^(Bearer|Basic|Token|Digest)\s/.exec(value)?.[0] ?? '';
      const quote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${key}${sep}${quote}${scheme}${MASK}${quote}`;
    });
  }
  return redactSecrets(out);
}

/** Lone UTF-16 surrogates and NUL: no PostgreSQL text column, and no valid UTF-8 file, can hold them. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

/** Replaces NUL and lone surrogates with U+FFFD; returns the text and how many characters were replaced. */
export function normalizeText(text: string): { text: string; replaced: number } {
  let replaced = 0;
  const out = text.replace(UNSTORABLE, () => {
    replaced++;
    return '\uFFFD';
  });
  return { text: out, replaced };
}

interface WalkState {
  replaced: number;
  redact: boolean;
}

function cleanString(value: string, state: WalkState): string {
  let text = value;
  if (HAS_UNSTORABLE.test(text)) {
    const n = normalizeText(text);
    state.replaced += n.replaced;
    text = n.text;
  }
  return state.redact ? redactText(text) : text;
}

/**
 * Returns `value` with every string cleaned; objects and arrays are copied only when something in
 * them changed, so a clean 10,000-case run costs one walk and no copy. `secretKeys` masks the value
 * of secret-named keys (free-form records: metadata, properties, tags).
 */
function walk(value: unknown, state: WalkState, secretKeys: boolean): unknown {
  if (typeof value === 'string') return cleanString(value, state);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const cleaned = walk(item, state, secretKeys);
      if (cleaned !== item) {
        copy ??= value.slice();
        copy[i] = cleaned;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const childSecretKeys = FREE_FORM_RECORDS.has(key);
    let cleaned: unknown;
    if (secretKeys && state.redact && typeof item === 'string' && SECRET_NAME.test(key) && !ALREADY_MASKED.test(item)) cleaned = MASK;
    else cleaned = walk(item, state, childSecretKeys);
    const cleanKey = secretKeys ? cleanKeyName(key, state) : key;
    if (cleaned !== item || cleanKey !== key) {
      if (!copy) {
        copy = {};
        // Keep key order: copy everything before this key as it was.
        for (const [k, v] of entries) {
          if (k === key) break;
          copy[k] = v;
        }
      }
    }
    if (copy) copy[cleanKey] = cleaned;
  }
  return copy ?? value;
}

function cleanKeyName(key: string, state: WalkState): string {
  if (!HAS_UNSTORABLE.test(key)) return key;
  const n = normalizeText(key);
  state.replaced += n.replaced;
  return n.text;
}

/** Fields holding free-form `name -> value` records, where a secret-looking name marks a secret value. */
const FREE_FORM_RECORDS = new Set(['metadata', 'properties', 'tags', 'headers', 'variables', 'env']);

/**
 * The one redactor every run of every kind goes through (live and imported) before it is stored or
 * printed. It walks every string of the run (names, suite paths, error messages and stacks,
 * stdout/stderr, attachment names and paths, steps, metadata, kind-specific records) and:
 * - masks secrets ({@link redactText}): URL credentials, `password=...` and other secret-named
 *   assignments and `name: value` pairs, bearer/basic tokens, JWTs, AWS access keys and secret keys,
 *   PEM private-key blocks; the value of a secret-named metadata or property key is masked whole;
 * - replaces NUL and lone UTF-16 surrogates with U+FFFD, so SQLite and PostgreSQL accept the same
 *   runs, and counts the replacements in `metadata["text.replacedCharacters"]`.
 * (Each adapter also redacts what it knows to be secret, such as HTTP headers and Postman secrets.)
 */
export function redactRunSecrets<T extends RunInput>(run: T): T {
  const state: WalkState = { replaced: 0, redact: true };
  const cleaned = walk(run, state, false) as T;
  return countReplacedCharacters(cleaned, state.replaced);
}

/**
 * {@link redactRunSecrets} for one part of a run handled on its own (a case of a streamed import):
 * the cleaned part and how many characters were replaced, for the caller to add to the run's
 * `metadata["text.replacedCharacters"]`.
 */
export function redactRunPart<T>(part: T): { part: T; replaced: number } {
  const state: WalkState = { replaced: 0, redact: true };
  const cleaned = walk(part, state, false) as T;
  return { part: cleaned, replaced: state.replaced };
}

/** Adds `replaced` characters to a run's `metadata["text.replacedCharacters"]`. */
export function countReplacedCharacters<T extends RunInput>(run: T, replaced: number): T {
  if (!replaced) return run;
  const metadata = { ...(run.metadata ?? {}) };
  const before = Number(metadata[REPLACED_CHARACTERS_KEY] ?? 0);
  metadata[REPLACED_CHARACTERS_KEY] = String((Number.isFinite(before) ? before : 0) + replaced);
  return { ...run, metadata };
}

/**
 * Only the text normalization of {@link redactRunSecrets}: what the store applies to a run it is
 * given (a spool file written by an older version may still hold NUL or lone surrogates).
 */
export function normalizeRunText<T>(run: T): { run: T; replaced: number } {
  const state: WalkState = { replaced: 0, redact: false };
  const cleaned = walk(run, state, false) as T;
  return { run: cleaned, replaced: state.replaced };
}

/*
 * Secret redaction for API runs. Everything a Newman run produces (URLs, headers, bodies, assertion
 * messages, script errors, console output, the HTML report) goes through one `Redactor` before it is
 * stored, printed or exported.
 *
 * Two mechanisms work together:
 * - structural: values of sensitive headers (Authorization, Cookie, API keys) and of sensitive JSON,
 *   form and query fields (password, token, secret, card number, CVV, ...) are replaced wherever the
 *   structure is visible;
 * - by value: every secret value learnt (Postman variables of type `secret`, variables with sensitive
 *   names, and every value seen in a sensitive header or field) is replaced wherever it occurs, also
 *   URL-, JSON- and HTML-encoded, so a token echoed in an assertion message or a URL is caught too.
 */

export const REDACTED = '[REDACTED]';

/** Shorter values are only redacted structurally: replacing "1" or "abc" everywhere would wreck the text. */
const MIN_SECRET_LENGTH = 4;
/** Leading characters of a long secret that, followed by an ellipsis, count as the secret. */
const TRUNCATED_PREFIX = 8;

const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'apikey',
  'xauthtoken',
  'xaccesstoken',
  'xsessiontoken',
  'xcsrftoken',
  'xxsrftoken',
  'xamzsecuritytoken',
  'xapisecret',
  'xclientsecret',
  'xfunctionskey',
  'ocpapimsubscriptionkey',
  'privatetoken',
]);

const SENSITIVE_KEYS = new Set([
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'bearertoken',
  'sessiontoken',
  'sessionid',
  'apikey',
  'apisecret',
  'clientsecret',
  'privatekey',
  'secretkey',
  'authorization',
  'cookie',
  'setcookie',
  'cardnumber',
  'cardno',
  'ccnumber',
  'creditcard',
  'creditcardnumber',
  'pan',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'cardcvv',
  'cardcvc',
  'securitycode',
  'cardsecuritycode',
  'otp',
]);

const SENSITIVE_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey', 'cardnumber', 'cvv', 'cvc', 'privatekey'];

/** Children of a `card` object that are secrets even under plain names (`card.number`). */
const CARD_CHILD_KEYS = new Set(['number', 'cvv', 'cvc', 'code', 'securitycode', 'pan']);

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A header as Newman and Postman collections write it. */
export interface HeaderEntry {
  readonly key: string;
  readonly value: string;
}

/** A Postman variable as found in environment, globals or collection files. */
export interface VariableEntry {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly type?: unknown;
  readonly enabled?: unknown;
}

export interface RedactorOptions {
  /** Extra field, header or variable names to treat as secrets (config `api.redact`). */
  readonly extraNames?: readonly string[];
}

/** A quoted JSON key: the match is followed by its closing quote (raw, escaped or HTML) and a colon. */
const KEY_AFTER = /^(?:"|\\"|&quot;|&#34;)\s*:/;
const KEY_BEFORE = /(?:"|\\"|&quot;|&#34;)$/;

/**
 * Replaces every match of a secret value, except where the text is a JSON key (`"password": ...`):
 * when a secret is a common word, the structure stays readable and only values are redacted.
 */
function replaceValues(input: string, pattern: RegExp): string {
  return input.replace(pattern, (match: string, ...rest: unknown[]) => {
    const offset = rest.find((r) => typeof r === 'number') as number;
    const before = input.slice(Math.max(0, offset - 6), offset);
    const after = input.slice(offset + match.length, offset + match.length + 12);
    return KEY_BEFORE.test(before) && KEY_AFTER.test(after) ? match : REDACTED;
  });
}

export class Redactor {
  private readonly extraNames: Set<string>;
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;
  private dirty = false;

  constructor(options: RedactorOptions = {}) {
    this.extraNames = new Set((options.extraNames ?? []).map(normalizeName).filter(Boolean));
  }

  /** Whether a header's value is a secret (Authorization, Cookie, API keys, tokens). */
  isSensitiveHeader(name: string): boolean {
    const n = normalizeName(name);
    return SENSITIVE_HEADERS.has(n) || this.extraNames.has(n) || n.includes('apikey') || n.endsWith('token') || n.endsWith('secret') || n.includes('password');
  }

  /** Whether a JSON/form/query field or a variable with this name holds a secret. */
  isSensitiveKey(name: string): boolean {
    const n = normalizeName(name);
    if (!n) return false;
    return SENSITIVE_KEYS.has(n) || this.extraNames.has(n) || SENSITIVE_SUFFIXES.some((s) => n.endsWith(s));
  }

  /** Remembers a secret value; it is then replaced wherever it occurs. */
  addSecret(value: unknown): void {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value).trim();
    if (text.length < MIN_SECRET_LENGTH || text === REDACTED || this.secrets.has(text)) return;
    this.secrets.add(text);
    // Card numbers are often written with and without separators.
    const digits = text.replace(/[\s-]/g, '');
    if (/^\d{12,19}$/.test(digits) && digits !== text) this.secrets.add(digits);
    this.dirty = true;
  }

  /** How many distinct secret values are known (for tests and diagnostics, never the values). */
  get secretCount(): number {
    return this.secrets.size;
  }

  /** Learns the secrets of a variable list: type `secret`, or a sensitive name. */
  learnVariables(values: readonly VariableEntry[] | undefined): void {
    for (const v of values ?? []) {
      if (!v || typeof v.key !== 'string') continue;
      if (v.type === 'secret' || this.isSensitiveKey(v.key)) this.addSecret(v.value);
    }
  }

  /** Learns the secret values carried in sensitive headers. */
  learnHeaders(headers: readonly HeaderEntry[] | undefined): void {
    for (const h of headers ?? []) {
      if (!h || typeof h.key !== 'string' || typeof h.value !== 'string' || !this.isSensitiveHeader(h.key)) continue;
      const name = normalizeName(h.key);
      const value = h.value.trim();
      if (name === 'authorization' || name === 'proxyauthorization') {
        const [scheme, ...rest] = value.split(/\s+/);
        const credentials = rest.join(' ');
        if (!credentials) {
          this.addSecret(scheme);
          continue;
        }
        this.addSecret(credentials);
        if (scheme?.toLowerCase() === 'basic') {
          const decoded = Buffer.from(credentials, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon >= 0) this.addSecret(decoded.slice(colon + 1));
        }
      } else if (name === 'cookie' || name === 'setcookie') {
        const pairs = name === 'cookie' ? value.split(';') : [value.split(';')[0] ?? ''];
        for (const pair of pairs) {
          const eq = pair.indexOf('=');
          const value = (eq >= 0 ? pair.slice(eq + 1) : pair).trim();
          // Short cookie values are preferences (theme=dark, lang=ko), not sessions.
          if (value.length >= 8) this.addSecret(value);
        }
      } else {
        this.addSecret(value);
      }
    }
  }

  /** Learns the secret values of sensitive fields in a JSON, form or query-string body. */
  learnBody(text: string | null | undefined): void {
    if (!text) return;
    const json = tryParseJson(text);
    if (json !== undefined) {
      this.learnValue(json, null);
      return;
    }
    if (/^[^\s=&]+=[^&]*(&[^\s=&]+=[^&]*)*$/.test(text.trim())) {
      for (const [key, value] of new URLSearchParams(text.trim())) if (this.isSensitiveKey(key)) this.addSecret(value);
    }
  }

  /** Learns the secret values of sensitive query parameters. */
  learnUrl(url: string | null | undefined): void {
    if (!url) return;
    const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@?#]*)@/i.exec(url)?.[1];
    if (userinfo?.includes(':')) this.addSecret(safeDecode(userinfo.slice(userinfo.indexOf(':') + 1)));
    const q = url.indexOf('?');
    if (q < 0) return;
    for (const [key, value] of new URLSearchParams(url.slice(q + 1).split('#')[0])) if (this.isSensitiveKey(key)) this.addSecret(value);
  }

  private learnValue(value: unknown, parentKey: string | null): void {
    if (Array.isArray(value)) {
      for (const v of value) this.learnValue(v, parentKey);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      if (this.isSensitiveEntry(key, parentKey)) {
        if (typeof v === 'string' || typeof v === 'number') this.addSecret(v);
      } else this.learnValue(v, key);
    }
  }

  private isSensitiveEntry(key: string, parentKey: string | null): boolean {
    if (this.isSensitiveKey(key)) return true;
    return parentKey !== null && normalizeName(parentKey).includes('card') && CARD_CHILD_KEYS.has(normalizeName(key));
  }

  private secretPattern(): RegExp | null {
    if (this.dirty || (this.pattern === null && this.secrets.size > 0)) {
      const forms = new Set<string>();
      for (const s of this.secrets) {
        forms.add(s);
        forms.add(encodeURIComponent(s));
        forms.add(encodeURIComponent(s).replace(/%20/g, '+'));
        forms.add(JSON.stringify(s).slice(1, -1));
        forms.add(escapeHtml(s));
        forms.add(JSON.stringify(JSON.stringify(s).slice(1, -1)).slice(1, -1));
      }
      const sorted = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
      // Assertion libraries shorten long values ("expected 'sfd_IxJSHL19z3…' to ..."): a long secret's
      // opening characters followed by an ellipsis are the secret too.
      const truncated = [...this.secrets]
        .filter((s) => s.length >= TRUNCATED_PREFIX * 2)
        .map((s) => `${escapeRegExp(s.slice(0, TRUNCATED_PREFIX))}[^\\s'"]*?(?:…|\\.\\.\\.)`);
      const alternatives = [...truncated, ...sorted.map(escapeRegExp)];
      this.pattern = alternatives.length ? new RegExp(alternatives.join('|'), 'g') : null;
      this.dirty = false;
    }
    return this.pattern;
  }

  /** Redacts free text: known secret values, bearer/basic credentials, `"password": "..."`, `token=...`. */
  text(input: string): string;
  text(input: string | null): string | null;
  text(input: string | null): string | null {
    if (input === null || input === '') return input;
    let out = input;
    const pattern = this.secretPattern();
    if (pattern) out = replaceValues(out, pattern);
    // Credentials after an auth scheme, wherever they appear (error messages, echoed headers).
    out = out.replace(/\b(Bearer|Basic|Digest|Token)(\s+)(?!\[REDACTED\])[A-Za-z0-9\-._~+/=:]{8,}/g, `$1$2${REDACTED}`);
    // JSON-like "key": value pairs, also inside escaped JSON strings.
    out = out.replace(/(\\?")([^"\\]{1,64})\1(\s*:\s*)(\\?"(?:[^"\\]|\\.)*?\\?"|-?\d[\d.eE+-]*|true|false)/g, (m, q: string, key: string, sep: string, value: string) => {
      if (!this.isSensitiveKey(key)) return m;
      const quoted = value.startsWith('"') || value.startsWith('\\"');
      return `${q}${key}${q}${sep}${quoted ? `${q}${REDACTED}${q}` : `"${REDACTED}"`}`;
    });
    // key=value pairs of forms and query strings.
    out = out.replace(/(^|[?&;\s'"(,])([A-Za-z0-9_.\-[\]]{1,64})=([^&\s#"';,)]*)/g, (m, lead: string, key: string, value: string) =>
      value && value !== REDACTED && this.isSensitiveKey(key.replace(/\[\]$/, '')) ? `${lead}${key}=${REDACTED}` : m,
    );
    // "Header: value" lines.
    out = out.replace(/^([ \t]*)([A-Za-z0-9-]{2,64})([ \t]*:[ \t]*)(\S.*)$/gm, (m, lead: string, name: string, sep: string, value: string) =>
      value !== REDACTED && (this.isSensitiveHeader(name) || this.isSensitiveKey(name)) ? `${lead}${name}${sep}${REDACTED}` : m,
    );
    return out;
  }

  /**
   * Replaces only the known secret values (raw, URL-, JSON- and HTML-encoded) and credentials after
   * an auth scheme: for documents whose structure must survive, such as Newman's HTML report.
   */
  values(input: string): string {
    const pattern = this.secretPattern();
    let out = pattern ? replaceValues(input, pattern) : input;
    // HTML-escaped JSON fields and form pairs whose values are too short to be learnt (CVV, PIN).
    out = out.replace(/(&quot;)([^&<>]{1,64}?)&quot;(\s*:\s*)(&quot;[^&<>]*?&quot;|-?\d[\d.]*)/g, (m, q: string, key: string, sep: string, value: string) =>
      this.isSensitiveKey(key) ? `${q}${key}${q}${sep}${value.startsWith('&quot;') ? `&quot;${REDACTED}&quot;` : REDACTED}` : m,
    );
    out = out.replace(/(^|[?;\s]|&amp;)([A-Za-z0-9_.\-[\]]{1,64})(=|&#x3D;)([^&\s<"']*)/g, (m, lead: string, key: string, eq: string, value: string) =>
      value && value !== REDACTED && this.isSensitiveKey(key) ? `${lead}${key}${eq}${REDACTED}` : m,
    );
    return out.replace(/\b(Bearer|Basic|Digest)(\s+)(?!\[REDACTED\])[A-Za-z0-9\-._~+/=]{16,}/g, `$1$2${REDACTED}`);
  }

  /** Redacts a URL: sensitive query parameters and known secret values. */
  url(url: string): string {
    return this.text(url);
  }

  /** Redacts header values (sensitive names entirely, the rest by value). */
  headers(headers: readonly HeaderEntry[]): HeaderEntry[] {
    return headers.map((h) => ({ key: h.key, value: this.isSensitiveHeader(h.key) ? REDACTED : this.text(h.value) }));
  }

  /** Redacts a decoded JSON value: sensitive fields replaced, every string redacted as text. */
  value(value: unknown, parentKey: string | null = null): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v, parentKey));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = this.isSensitiveEntry(key, parentKey) && v !== null ? REDACTED : this.value(v, key);
    }
    return out;
  }

  /**
   * Redacts a body: JSON bodies are parsed and redacted field by field (returned as the decoded
   * value), form bodies parameter by parameter, anything else as text.
   */
  body(text: string | null | undefined): unknown {
    if (text === null || text === undefined || text === '') return null;
    const json = tryParseJson(text);
    if (json !== undefined) return this.value(json);
    const trimmed = text.trim();
    if (/^[^\s=&]+=[^&]*(&[^\s=&]+=[^&]*)*$/.test(trimmed)) {
      const params = new URLSearchParams(trimmed);
      const out = new URLSearchParams();
      for (const [key, value] of params) out.append(key, this.isSensitiveKey(key) ? REDACTED : this.text(value));
      return out.toString().replace(/%5BREDACTED%5D/g, REDACTED);
    }
    return this.text(text);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function tryParseJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

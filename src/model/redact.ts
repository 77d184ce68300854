import type { RunInput } from './run.js';

const MASK = '***';
/** Values an adapter has masked already (Newman's redactor writes `[REDACTED]`). */
const ALREADY_MASKED = /^["']?(\*\*\*|\[REDACTED\])["']?$/;

/** Names whose values are secrets wherever they appear as `NAME=value`. */
const SECRET_NAME = /(pass(word|wd)?|secret|token|api[-_]?key|auth|credential|private[-_]?key|session|cookie)/i;

/** Masks the password of every `scheme://user:password@host` in a text. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+):([^\s@/'"]+)@/gi, `$1:${MASK}@`);
}

/** Masks the value of `NAME=value` pairs whose name says they hold a secret (`-e API_TOKEN=...`). */
export function redactSecretAssignments(text: string): string {
  return text.replace(/(^|[\s"'])([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|[^\s"']+)/g, (all, lead: string, name: string, value: string) =>
    SECRET_NAME.test(name) && !ALREADY_MASKED.test(value) ? `${lead}${name}=${MASK}` : all,
  );
}

/** Both of the above: for command lines, URLs and free-form metadata. */
export function redactSecrets(text: string): string {
  return redactSecretAssignments(redactUrlCredentials(text));
}

/**
 * A last line of defence applied to every run before it is stored or printed: credentials in URLs
 * and secret-named assignments are masked in the command line, metadata and error message. (Each
 * adapter also redacts what it knows to be secret, such as HTTP headers and Postman secrets.)
 */
export function redactRunSecrets<T extends RunInput>(run: T): T {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(run.metadata ?? {})) metadata[key] = SECRET_NAME.test(key) ? MASK : redactSecrets(value);
  return {
    ...run,
    tool: { ...run.tool, commandLine: run.tool.commandLine === null ? null : redactSecrets(run.tool.commandLine) },
    metadata,
    errorMessage: run.errorMessage === null ? null : redactUrlCredentials(run.errorMessage),
  };
}

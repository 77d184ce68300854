import { z } from 'zod';
import { ToolError } from '../../model/index.js';

/** What a kubectl call left behind: exit code and both streams. */
export interface KubectlOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `Error from server (NotFound): ...`: the object does not exist (yet). */
export function isNotFound(output: KubectlOutput): boolean {
  return output.exitCode !== 0 && /\(NotFound\)|not found/i.test(output.stderr) && !isUnreachable(output);
}

/** kubectl could not talk to the API server at all (refused, DNS, TLS, timeout). */
export function isUnreachable(output: KubectlOutput): boolean {
  return (
    output.exitCode !== 0 &&
    /connection refused|Unable to connect to the server|dial tcp|no such host|i\/o timeout|couldn't get current server API group list|TLS handshake|context deadline exceeded|server could not find the requested resource/i.test(
      output.stderr,
    )
  );
}

/**
 * The API server failed rather than answered: a 5xx status (InternalError, ServiceUnavailable,
 * Timeout), a request that ran into --request-timeout, or a server that cannot be reached. These are
 * faults of the cluster API, never a verdict on the system under test; 5xx and timeouts are worth a retry.
 */
export function isApiFault(output: KubectlOutput): boolean {
  return output.exitCode !== 0 && (isUnreachable(output) || isTransientApiFault(output));
}

/** A fault that may pass: 5xx, 429, or a request timeout. */
export function isTransientApiFault(output: KubectlOutput): boolean {
  return (
    output.exitCode !== 0 &&
    /\((InternalError|ServiceUnavailable|Timeout|TooManyRequests|InternalServerError)\)|Internal error occurred|the server is currently unable|the server was unable to return a response|Client\.Timeout|request canceled|context deadline exceeded|i\/o timeout|timed out|EOF|connection reset/i.test(
      output.stderr,
    )
  );
}

/** The first meaningful stderr line, without kubectl's klog prefix. */
export function firstErrorLine(output: KubectlOutput): string {
  const lines = output.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const main = lines.find((l) => l.startsWith('error:') || l.startsWith('Error from server') || l.startsWith('The connection')) ?? lines.at(-1);
  return (main ?? `exit code ${output.exitCode}`).replace(/^E\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /, '');
}

/** Turns a failed kubectl call into the error the user sees (exit code 3). */
export function kubectlError(output: KubectlOutput, what: string, toolVersion: string | null = null): ToolError {
  const line = firstErrorLine(output);
  if (isUnreachable(output)) {
    return new ToolError(`the Kubernetes API server is unreachable while trying to ${what}: ${line}`, {
      hint: 'Check --kubeconfig/KUBECONFIG, --context and that the cluster is up ("kubectl cluster-info").',
    });
  }
  return new ToolError(`kubectl${toolVersion ? ` ${toolVersion}` : ''} failed to ${what}: ${line}`);
}

/** Parses `kubectl ... -o json` with a loose schema; a mismatch is a tool error naming the version. */
export function parseKubectlJson<T>(output: KubectlOutput, schema: z.ZodType<T>, what: string, toolVersion: string | null = null): T {
  let raw: unknown;
  try {
    raw = JSON.parse(output.stdout);
  } catch {
    throw new ToolError(`kubectl${toolVersion ? ` ${toolVersion}` : ''} printed output that is not JSON for ${what}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ToolError(
      `unexpected ${what} from kubectl${toolVersion ? ` ${toolVersion}` : ''}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'schema mismatch'}`,
    );
  }
  return parsed.data;
}

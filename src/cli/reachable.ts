import { ToolError } from '../model/index.js';

/**
 * Checks that a system under test answers before any test runs: one HEAD request, any HTTP answer
 * (even 404 or 500) counts. An unknown host, a refused connection or no answer within `timeoutMs`
 * is an infrastructure fault (exit 3) in one line, instead of every test retrying against nothing.
 */
export async function assertReachable(baseUrl: string, flag = '--base-url', timeoutMs = 10_000): Promise<void> {
  try {
    const response = await fetch(baseUrl, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => {});
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const code = e.cause?.code;
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${Math.round(timeoutMs / 1000)}s`
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `host not found (${code})`
          : code === 'ECONNREFUSED'
            ? 'connection refused (ECONNREFUSED)'
            : (code ?? e.cause?.message ?? e.message);
    throw new ToolError(`${flag} ${baseUrl} is not reachable: ${why}; nothing was run`);
  }
}

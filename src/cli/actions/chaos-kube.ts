import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../model/index.js';
import type { KubectlTarget } from '../../exec/kubectl.js';
import { parseDurationMs } from '../../adapters/kube/duration.js';
import type { CommandContext } from '../context.js';

/** kubectl options shared by `chaos run` and `canary status|watch`. */
export interface KubeOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly kubeCacheDir?: string;
  readonly requestTimeout?: string;
}

/**
 * Where kubectl points: flags first, then the config file's kube context, then kubectl's own defaults
 * (KUBECONFIG, current context). `SHOPFDS_KUBECTL` names the binary.
 */
export function resolveKubectlTarget(ctx: CommandContext, options: KubeOptions, defaults: { context?: string; namespace?: string }): KubectlTarget {
  const env = ctx.io.env;
  return {
    binary: env.SHOPFDS_KUBECTL || 'kubectl',
    kubeconfig: options.kubeconfig,
    context: options.context ?? defaults.context,
    namespace: options.namespace ?? defaults.namespace,
    cacheDir: options.kubeCacheDir,
    requestTimeout: options.requestTimeout,
    env: { ...env },
  };
}

/** A duration flag (`200ms`, `5s`, `10m`, or seconds). */
export function parseDurationFlag(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ms = parseDurationMs(value);
  if (ms === null || ms <= 0) throw new UsageError(`${flag} must be a duration such as 200ms, 30s or 10m (got "${value}")`);
  return ms;
}

/** Sleeps, waking early when the signal aborts. Returns false when it was aborted. */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}

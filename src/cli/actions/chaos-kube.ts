import { setTimeout as sleep } from 'node:timers/promises';
import type { KubectlTarget } from '../../exec/kubectl.js';
import { parseDurationOption } from '../parse.js';
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

/** A duration flag (`200ms`, `5s`, `10m`, `1h30m`, or seconds), in milliseconds; the one grammar of cli/parse.ts. */
export function parseDurationFlag(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  return parseDurationOption(flag, value, { example: '200ms, 30s or 10m' });
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

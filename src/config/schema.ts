import { z } from 'zod';

/**
 * `shopfds.config.json` / `shopfds.config.yaml`. Every key is optional; flags and environment
 * variables win over the file. Unknown keys are errors, so typos do not pass silently.
 */
export const ConfigFileSchema = z
  .object({
    /** SQLite file path or postgres:// URL. */
    db: z.string().min(1).optional(),
    environment: z.enum(['local', 'staging', 'production']).optional(),
    /** Where artifacts are copied (default `.shopfds/artifacts`). */
    artifactsDir: z.string().min(1).optional(),
    /** Base URL of the system under test; without one, the bundled demo shop is started. */
    baseUrl: z.string().url().optional(),
    e2e: z
      .object({
        scenarios: z.string().optional(),
        retries: z.number().int().min(0).max(5).optional(),
        workers: z.number().int().positive().optional(),
        browser: z.enum(['chromium', 'firefox', 'webkit']).optional(),
        playwrightConfig: z.string().optional(),
      })
      .strict()
      .optional(),
    api: z
      .object({
        collections: z.string().optional(),
        environment: z.string().optional(),
        timeoutRequestMs: z.number().int().positive().optional(),
        /** Extra variable or field names to redact, beyond the built-in list. */
        redact: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    perf: z
      .object({
        scripts: z.string().optional(),
        k6Path: z.string().optional(),
        /** The Locust executable (default: locust on PATH). */
        locustPath: z.string().optional(),
        intervalSec: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    chaos: z
      .object({
        experiments: z.string().optional(),
        approvers: z.array(z.string().min(1)).optional(),
        recoveryTargetSec: z.number().int().positive().optional(),
        kubeContext: z.string().optional(),
        namespace: z.string().optional(),
      })
      .strict()
      .optional(),
    /** History retention: after each run, delete runs older than `days` (see `db prune`). */
    retention: z
      .object({
        days: z.number().int().positive().optional(),
        /** Keep at least this many newest runs of each kind and name. */
        keepLast: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    canary: z
      .object({
        kubeContext: z.string().optional(),
        namespace: z.string().optional(),
        timeoutSec: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    prometheus: z
      .object({
        /** Pushgateway URL; after each run its metrics are pushed there. */
        pushgateway: z.string().url().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

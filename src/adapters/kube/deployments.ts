import { z } from 'zod';

/** The fields of a Deployment we read. */
export const DeploymentSchema = z
  .object({
    metadata: z
      .object({
        name: z.string(),
        managedFields: z.array(z.object({ manager: z.string().optional(), time: z.string().optional() }).loose()).optional(),
      })
      .loose(),
    spec: z
      .object({
        template: z
          .object({
            spec: z.object({ containers: z.array(z.object({ name: z.string(), image: z.string() }).loose()).min(1) }).loose(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();
export type Deployment = z.infer<typeof DeploymentSchema>;

/** The image of the deployment's first container (or of the named one). */
export function deploymentImage(deployment: Deployment, container?: string): string {
  const containers = deployment.spec.template.spec.containers;
  return (container ? containers.find((c) => c.name === container) : undefined)?.image ?? containers[0]!.image;
}

/**
 * When someone other than `except` (e.g. Flagger scaling it) last changed the deployment, from the
 * API server's managedFields times; null when it keeps none.
 */
export function lastChangedAt(deployment: Deployment, except: string): number | null {
  const times = (deployment.metadata.managedFields ?? [])
    .filter((f) => f.manager !== except)
    .map((f) => Date.parse(f.time ?? ''))
    .filter(Number.isFinite);
  return times.length ? Math.max(...times) : null;
}

/**
 * The tag of an image reference: `ghcr.io/shopfds/fds:v1.2.3` -> `v1.2.3`; `...@sha256:...` and
 * untagged images give null. A registry port (`host:5000/app`) is not a tag.
 */
export function imageTag(image: string): string | null {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const name = withoutDigest.slice(lastSlash + 1);
  const colon = name.lastIndexOf(':');
  return colon === -1 ? null : name.slice(colon + 1) || null;
}

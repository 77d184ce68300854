import { z } from 'zod';

/** `kubectl get events --field-selector involvedObject.kind=...,involvedObject.name=... -o json`. */
export const EventListSchema = z
  .object({
    items: z.array(
      z
        .object({
          reason: z.string().optional(),
          message: z.string().optional(),
          type: z.string().optional(),
          firstTimestamp: z.string().nullable().optional(),
          lastTimestamp: z.string().nullable().optional(),
          eventTime: z.string().nullable().optional(),
          metadata: z.object({ creationTimestamp: z.string().optional() }).loose().optional(),
        })
        .loose(),
    ),
  })
  .loose();
export type EventList = z.infer<typeof EventListSchema>;

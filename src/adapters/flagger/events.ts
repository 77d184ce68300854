import { parseDuration } from '../../model/index.js';
import { EventListSchema, type EventList } from '../kube/events.js';

export { EventListSchema, type EventList };

export interface AnalysisReadings {
  /** Percent, from "Halt <c> advancement success rate 98.69% < 99%". */
  readonly successRate: number | null;
  /** Milliseconds, from "Halt <c> advancement request duration 1.515s > 500ms" (Flagger's builtin is P99). */
  readonly durationMs: number | null;
  /** The last failed metric check ("Halt ... advancement ..."), without the event-aggregation prefix. */
  readonly lastHalt: string | null;
}

function goDurationMs(text: string): number | null {
  return parseDuration(text, { bare: 'none' });
}

function eventTime(e: EventList['items'][number]): number {
  return Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '');
}

/**
 * When Flagger started analysing the current revision: its last "New revision detected!" Event
 * (Flagger writes one each time it picks up a new spec of the target). Null when there is none:
 * every event then belongs to the current revision.
 */
export function currentRevisionSince(list: EventList): number | null {
  const times = list.items.filter((e) => /^New revision detected!?/.test(e.message ?? '')).map(eventTime).filter(Number.isFinite);
  return times.length ? Math.max(...times) : null;
}

/** When Flagger last rolled back ("Rolling back ..." / "Canary failed! ..."), or null. */
export function lastFailureAt(list: EventList): number | null {
  const times = list.items.filter((e) => /^(Rolling back|Canary failed!)/.test((e.message ?? '').replace(/^\(combined from similar events\):\s*/, ''))).map(eventTime).filter(Number.isFinite);
  return times.length ? Math.max(...times) : null;
}

/**
 * The metric values Flagger exposes for an analysis. The Canary status has none; Flagger writes them
 * only into Events when a check fails ("Halt podinfo.test advancement success rate 69.17% < 99%").
 * Events older than `since` (an earlier release) are ignored.
 */
export function readAnalysisEvents(list: EventList, since: number): AnalysisReadings {
  const events = list.items
    .map((e) => ({ message: (e.message ?? '').replace(/^\(combined from similar events\):\s*/, ''), at: Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '') }))
    .filter((e) => e.message && (Number.isNaN(e.at) || e.at >= since))
    .sort((a, b) => (a.at || 0) - (b.at || 0));
  let successRate: number | null = null;
  let durationMs: number | null = null;
  let lastHalt: string | null = null;
  for (const e of events) {
    const rate = /advancement success rate (\d+(?:\.\d+)?)% </.exec(e.message);
    if (rate) successRate = Number(rate[1]);
    const duration = /advancement request duration (\S+) > /.exec(e.message);
    if (duration) durationMs = goDurationMs(duration[1]!) ?? durationMs;
    if (/^Halt \S+ advancement (success rate|request duration|\S+ [\d.]+ [<>])/.test(e.message)) lastHalt = e.message;
  }
  return { successRate, durationMs, lastHalt };
}

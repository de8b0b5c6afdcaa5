import type { FinishedMinute } from '../store/job-store';
import { addToHistogram, mergeHistograms } from './histogram';

export const MINUTE_MS = 60_000;
/** The statistics look back 15 minutes; a run is spread over at most this many minutes before its end. */
export const BUSY_MINUTES_KEPT = 16;

/** What a finished job adds to the per-minute statistics. */
export interface FinishedFacts {
  finishedAtMs: number;
  startedAtMs?: number;
  waitMs?: number;
  runMs?: number;
}

export function minuteStart(ms: number): number {
  return ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
}

export function emptyMinute(minuteMs: number): FinishedMinute {
  return { minuteMs, finished: 0, busyMs: 0, waitMs: {}, runMs: {} };
}

/** The run [startMs, endMs] cut at minute boundaries: [minuteMs, ms inside it], oldest first. */
export function busyByMinute(startMs: number, endMs: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  const first = Math.max(minuteStart(startMs), minuteStart(endMs) - (BUSY_MINUTES_KEPT - 1) * MINUTE_MS);
  for (let minute = first; minute <= endMs; minute += MINUTE_MS) {
    const ms = Math.min(endMs, minute + MINUTE_MS) - Math.max(startMs, minute);
    if (ms > 0) parts.push([minute, ms]);
  }
  return parts;
}

function minuteIn(minutes: Map<number, FinishedMinute>, minuteMs: number): FinishedMinute {
  let minute = minutes.get(minuteMs);
  if (!minute) minutes.set(minuteMs, (minute = emptyMinute(minuteMs)));
  return minute;
}

/** Adds one finished job to in-memory minutes (created as needed). */
export function addFinished(minutes: Map<number, FinishedMinute>, facts: FinishedFacts): void {
  const at = (minuteMs: number) => minuteIn(minutes, minuteMs);
  const own = at(minuteStart(facts.finishedAtMs));
  own.finished += 1;
  if (facts.waitMs !== undefined) addToHistogram(own.waitMs, facts.waitMs);
  if (facts.startedAtMs === undefined) return;
  if (facts.runMs !== undefined) addToHistogram(own.runMs, facts.runMs);
  for (const [minuteMs, ms] of busyByMinute(facts.startedAtMs, facts.finishedAtMs)) at(minuteMs).busyMs += ms;
}

/** Adds one minute's aggregate (e.g. what one worker or one file saw) into `minutes`; `minute` is not changed. */
export function addMinute(minutes: Map<number, FinishedMinute>, minute: FinishedMinute): void {
  const into = minuteIn(minutes, minute.minuteMs);
  into.finished += minute.finished;
  into.busyMs += minute.busyMs;
  into.waitMs = mergeHistograms([into.waitMs, minute.waitMs]);
  into.runMs = mergeHistograms([into.runMs, minute.runMs]);
}

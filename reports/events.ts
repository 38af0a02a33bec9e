// How reports name events and pick the ones that hurt most.
import type { EventImpact, RunEvent } from "../harness/analysis/types.ts";
import { formatMs } from "./format.ts";

/** "backend-down app2", "recycle", "redis-stop". */
export function eventLabel(event: RunEvent): string {
  return event.target ? `${event.name} ${event.target}` : event.name;
}

/** Events by errors attributed (most first), ties by start time. Does not modify the input. */
export function topImpacts(events: EventImpact[], limit: number): EventImpact[] {
  return [...events]
    .sort((a, b) => b.errorsAttributed - a.errorsAttributed || a.event.start - b.event.start)
    .slice(0, limit);
}

/** Events in the order they started: the numbering (1, 2, …) every report and chart marker uses. */
export function eventsByStart(events: EventImpact[]): EventImpact[] {
  return [...events].sort((a, b) => a.event.start - b.event.start);
}

/** How long the action took: "1.2 s", or "instant" for a detected point event. */
export function eventDuration(event: RunEvent): string {
  return event.end > event.start ? formatMs(event.end - event.start) : "instant";
}

// The data island the HTML report's page script plots: per-window series on a shared x axis
// (seconds since the run started), the event markers, and the keepalive health band.
// Computed here (typed, unit-tested) so page.js only draws.
import type { AnalysedRun, WindowCounts } from "../../harness/analysis/types.ts";
import { eventLabel, eventsByStart } from "../events.ts";
import { errorStatusCount, windowErrorRate, windowOutcomes } from "../../harness/analysis/error-rate.ts";

export type Unit = "perSecond" | "share" | "count";

export interface SeriesData {
  label: string;
  color: string;
  dash?: number[];
  values: Array<number | null>;
}

export interface TimelineChart {
  id: string;
  title: string;
  unit: Unit;
  series: SeriesData[];
}

export type HealthState = "healthy" | "degraded" | "critical" | "none";

export interface ChartData {
  schema: "rtsoak.report-data/v1";
  runId: string;
  /** Seconds from run start to run end: the x range of every chart. */
  durationS: number;
  windowS: number;
  /** Window starts, seconds since run start. */
  x: number[];
  charts: TimelineChart[];
  /** One colour band per window; counts per state for the legend. */
  keepalive: { states: HealthState[]; series: SeriesData[] } | null;
  events: Array<{ n: number; label: string; startS: number; endS: number; ok: boolean; detail: string }>;
}

export const HEALTH_COLORS: Record<HealthState, string> = {
  healthy: "#2e9e5b",
  degraded: "#e5a50a",
  critical: "#d0312d",
  none: "#d9dde3",
};

/** Statuses with their own series; every other failed status goes to "other 4xx/5xx". */
const PLOTTED_STATUSES = ["0", "400", "502", "503", "504"];

const ERROR_SERIES: Array<{ label: string; color: string; dash?: number[]; pick: (w: WindowCounts) => number | undefined }> = [
  { label: "400", color: "#e8710a", pick: (w) => w.statuses["400"] },
  { label: "502", color: "#d0312d", pick: (w) => w.statuses["502"] },
  { label: "503", color: "#8e44ad", pick: (w) => w.statuses["503"] },
  { label: "504", color: "#7a4b2a", pick: (w) => w.statuses["504"] },
  { label: "session_unknown", color: "#1a73e8", dash: [6, 4], pick: (w) => w.failures["session_unknown"] },
];

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The worst keepalive state seen in a window ("error" ticks count as critical). */
export function windowHealth(keepalive: Record<string, number>): HealthState {
  if ((keepalive.critical ?? 0) + (keepalive.error ?? 0) > 0) return "critical";
  if ((keepalive.degraded ?? 0) > 0) return "degraded";
  if ((keepalive.healthy ?? 0) > 0) return "healthy";
  return "none";
}

export function buildChartData(run: AnalysedRun): ChartData {
  const windowS = run.windowMs / 1000;
  const windows = [...run.windows].sort((a, b) => a.start - b.start);
  const x = windows.map((w) => round((w.start - run.startedAt) / 1000, 3));
  const perSecond = (n: number) => round(n / windowS, 3);
  const share = (n: number | undefined, w: WindowCounts) => (w.requests > 0 ? round((n ?? 0) / w.requests, 6) : null);

  const errorSeries: SeriesData[] = [
    {
      label: "all errors",
      color: "#9aa0a6",
      values: windows.map((w) => (windowOutcomes(w) > 0 ? round(windowErrorRate(w), 6) : null)),
    },
  ];
  errorSeries.push(...ERROR_SERIES.map((s) => ({
    label: s.label,
    color: s.color,
    ...(s.dash ? { dash: s.dash } : {}),
    values: windows.map((w) => share(s.pick(w), w)),
  })));
  if ((run.totals.statuses["0"] ?? 0) > 0) {
    errorSeries.push({ label: "network", color: "#5f6368", values: windows.map((w) => share(w.statuses["0"], w)) });
  }
  const otherErrors = (statuses: Record<string, number>) => errorStatusCount(statuses) - PLOTTED_STATUSES.reduce((n, s) => n + (statuses[s] ?? 0), 0);
  if (otherErrors(run.totals.statuses) > 0) {
    errorSeries.push({ label: "other 4xx/5xx", color: "#c2185b", dash: [2, 3], values: windows.map((w) => share(otherErrors(w.statuses), w)) });
  }

  const charts: TimelineChart[] = [
    {
      id: "requests",
      title: "Requests per second",
      unit: "perSecond",
      series: [{ label: "requests/s", color: "#3c4043", values: windows.map((w) => perSecond(w.requests)) }],
    },
    { id: "errors", title: "Error rates per window", unit: "share", series: errorSeries },
    {
      id: "sessions",
      title: "Sessions per second",
      unit: "perSecond",
      series: [
        { label: "opened", color: "#2e9e5b", values: windows.map((w) => perSecond(w.sessionsOpened)) },
        { label: "lost", color: "#d0312d", values: windows.map((w) => perSecond(w.sessionsLost)) },
        { label: "reconnects", color: "#1a73e8", dash: [4, 3], values: windows.map((w) => perSecond(w.reconnects)) },
      ],
    },
  ];

  const hasKeepalive = windows.some((w) => Object.values(w.keepalive).some((n) => n > 0));
  const keepalive = hasKeepalive
    ? {
        states: windows.map((w) => windowHealth(w.keepalive)),
        series: (["healthy", "degraded", "critical", "error"] as const).map((state) => ({
          label: state,
          color: state === "error" ? "#7b1fa2" : HEALTH_COLORS[state],
          values: windows.map((w) => w.keepalive[state] ?? 0),
        })),
      }
    : null;

  const events = eventsByStart(run.events).map((e, i) => ({
      n: i + 1,
      label: eventLabel(e.event),
      startS: round((e.event.start - run.startedAt) / 1000, 3),
      endS: round((e.event.end - run.startedAt) / 1000, 3),
      ok: e.event.ok,
      detail: e.event.detail ?? "",
    }));

  return {
    schema: "rtsoak.report-data/v1",
    runId: run.runId,
    durationS: round(Math.max(windowS, (run.endedAt - run.startedAt) / 1000), 3),
    windowS,
    x,
    charts,
    keepalive,
    events,
  };
}

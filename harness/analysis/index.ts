// The analysis' public API, for the run command and the reports. Each module documents its part.
export { RunAggregator, WANTED_METRICS, K6_METRIC } from "./aggregator.ts";
export type { AggregatorOptions, FinishInput, LiveSnapshot, AggregatorStats } from "./aggregator.ts";
export { K6JsonParser, parseK6Line } from "./k6-json.ts";
export { parseAccessLogLine, wasRetried } from "./access-log.ts";
export { detectRecyclesFromLogs, RECYCLE_EVENT, type LogLine } from "./recycles.ts";
export { computeEventImpacts, IMPACT_DEFAULTS, type ImpactOptions } from "./impact.ts";
export { computeRates } from "./rates.ts";
export { statusClass, reconcileWindows, DEFAULT_TOLERANCE, type ReconcileTolerance } from "./reconcile.ts";
export {
  evaluateThresholds,
  parseThresholdExpression,
  parseThresholdSpec,
  verdictOf,
  THRESHOLD_KEYS,
  type ThresholdSpec,
  type ThresholdKey,
  type ThresholdExpression,
} from "./thresholds.ts";
export { compareRuns, DEFAULT_COMPARE_TOLERANCE, type RunRegressions, type ComparisonRow, type CompareTolerance } from "./compare.ts";
export { QuantileSketch } from "./sketch.ts";
export { isErrorStatus, isStandaloneFailure } from "./error-rate.ts";
export type * from "./types.ts";

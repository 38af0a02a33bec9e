// Built-in profiles: what `rtsoak run --profile <name>` means before a config file or flags.
import type { RunSettings } from "./settings.ts";

export type ProfileName = "smoke" | "gate" | "soak";
export const PROFILE_NAMES: ProfileName[] = ["smoke", "gate", "soak"];

/**
 * Strict gate thresholds. A disruption is allowed to cost sessions while it lasts (plus the
 * settle time); the same losses, 502s or failed connects outside any event are incidents.
 */
const GATE_THRESHOLDS: Record<string, string> = {
  sessionUnknownRateOutsideEvents: "<0.1%",
  badGatewayRateOutsideEvents: "<0.1%",
  connectSuccessOutsideEvents: ">99%",
  httpP95Ms: "<1000",
  ackP99Ms: "<2000",
};

export const PROFILES: Record<ProfileName, Omit<RunSettings, "command">> = {
  // Under a minute: first contact and tests.
  smoke: {
    profile: "smoke",
    durationMs: 20_000,
    scenario: "mixed",
    clients: 6,
    clientsPerVu: 1,
    env: {},
    topology: "nginx-iphash-2x1",
    stack: "local",
    allowRemote: false,
    events: [],
    thresholds: { ...GATE_THRESHOLDS, sessionUnknownRateOutsideEvents: "<1%", connectSuccessOutsideEvents: ">95%" },
    windowMs: 1_000,
    settleMs: 5_000,
    sourceAddresses: 32,
  },
  // A few minutes, strict, made for CI: one recycle of every worker mid-run.
  gate: {
    profile: "gate",
    durationMs: 90_000,
    scenario: "mixed",
    clients: 20,
    clientsPerVu: 1,
    env: {},
    topology: "nginx-iphash-2x1",
    stack: "local",
    allowRemote: false,
    events: ["40s:recycle"],
    thresholds: GATE_THRESHOLDS,
    windowMs: 1_000,
    // A disruption's own aftermath must stay inside its window: nginx's passive health check
    // (max_fails=1 fail_timeout=10s, the defaults the replica keeps) takes a backend whose
    // in-flight long-polls a recycle cut out of rotation for 10 s, then sticky clients moved
    // meanwhile lose their sessions again when it returns (~12 s after the event).
    settleMs: 20_000,
    sourceAddresses: 64,
  },
  // Hours, flat memory: coarse windows, periodic recycles.
  soak: {
    profile: "soak",
    durationMs: 2 * 3_600_000,
    scenario: "mixed",
    clients: 60,
    clientsPerVu: 1,
    env: {},
    topology: "nginx-iphash-2x1",
    stack: "local",
    allowRemote: false,
    events: ["every 10m:recycle"],
    thresholds: GATE_THRESHOLDS,
    windowMs: 10_000,
    settleMs: 30_000,
    sourceAddresses: 128,
  },
};

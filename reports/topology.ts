// Turns AnalysedRun.topology (a Topology, a user target's description, or anything else) into
// labelled rows every report can print.
import type { Topology } from "../harness/stack/types.ts";

export interface TopologySummary {
  /** Preset name, or "custom target". */
  name: string;
  /** One line: "nginx (ip-hash) → 2 × 1 node workers → redis (redis adapter)". */
  line: string;
  rows: Array<[string, string]>;
}

function isTopology(t: unknown): t is Topology {
  if (typeof t !== "object" || t === null) return false;
  const o = t as Record<string, unknown>;
  return typeof o.name === "string" && typeof o.proxy === "string" && typeof o.instances === "number" && typeof o.app === "string";
}

export function describeTopology(topology: unknown, target: string): TopologySummary {
  if (isTopology(topology)) {
    const t = topology;
    const proxy = t.proxy === "none" ? "no proxy" : `${t.proxy} (${t.stickiness === "none" ? "round-robin, not sticky" : `sticky: ${t.stickiness}`})`;
    const app = t.app === "flask" && t.flask ? `flask (${t.flask.workerClass}, ${t.flask.asyncMode})` : t.app;
    const redis = t.redis ? `redis${t.adapter === "redis" ? " (redis adapter)" : ""}` : "no redis";
    const recycle = t.maxRequests > 0 ? `after ${t.maxRequests} + 0..${t.maxRequestsJitter} requests` : "off";
    return {
      name: t.name,
      line: `${proxy} → ${t.instances} × ${t.workersPerInstance} ${app} workers → ${redis}`,
      rows: [
        ["preset", t.name],
        ["target", target],
        ["proxy", proxy],
        ["app", `${app}: ${t.instances} instance(s) × ${t.workersPerInstance} worker(s)`],
        ["worker recycling", recycle],
        ["redis", redis],
        ["websocket headers", t.websocketHeaders ? "forwarded" : "not forwarded"],
        ["proxy timeouts", `connect ${t.proxyTimeouts.connect} s, read ${t.proxyTimeouts.read} s, tunnel ${t.proxyTimeouts.tunnel} s`],
        ["engine.io ping", `interval ${t.pingIntervalMs} ms, timeout ${t.pingTimeoutMs} ms`],
      ],
    };
  }
  const text = typeof topology === "string" ? topology : topology == null ? "" : JSON.stringify(topology);
  return {
    name: "custom target",
    line: text ? `${target} (${text})` : target,
    rows: text ? [["target", target], ["description", text]] : [["target", target]],
  };
}

// The resolved settings of one run: profile defaults, then the config file, then flags.
import type { TimelineObject } from "../events/spec.ts";
import type { Topology } from "../stack/types.ts";

export interface RunSettings {
  profile: string;
  durationMs: number;
  /** Scenario entry in scenarios/ (mixed, polling, websocket, upgrade, keepalive, match). */
  scenario: string;
  /** k6 VUs. */
  clients: number;
  clientsPerVu: number;
  /** Extra environment for the scenario (see scenarios/README.md). */
  env: Record<string, string>;
  /** Preset name, topology file path, or an inline topology (config files only). */
  topology: string | (Partial<Topology> & { extends?: string });
  stack: "local" | "compose";
  /** A user-named target URL instead of the built-in replica. */
  target?: string;
  allowRemote: boolean;
  events: Array<string | TimelineObject>;
  /** Threshold name → expression, e.g. sessionUnknownRate: "<0.1%". */
  thresholds: Record<string, string>;
  windowMs: number;
  settleMs: number;
  /** How many loopback source addresses k6 spreads over (--local-ips). */
  sourceAddresses: number;
  /** Folder for this run's reports; default rtsoak-runs/<timestamp>-<profile>. */
  outDir?: string;
  /** Fixed proxy port for the built-in replica. */
  port?: number;
  /** The user's own compose stack (with stack: compose). */
  compose?: { file: string; proxyService: string; appService: string; redisService?: string; proxyPort: number };
  /** The exact command line, for the report's "reproduce" section. */
  command: string;
}

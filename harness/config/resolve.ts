// Profile defaults ← config file ← command-line flags, validated into RunSettings.
import { UserError } from "../errors.ts";
import { parseEventSpec, scheduleOffsets, type TimelineObject } from "../events/spec.ts";
import { parseDuration } from "./duration.ts";
import type { ConfigFile } from "./load.ts";
import { PROFILES, PROFILE_NAMES, type ProfileName } from "./profiles.ts";
import type { RunSettings } from "./settings.ts";

/** Flags as commander hands them over (all optional; strings until validated). */
export interface RunFlags {
  profile?: string;
  duration?: string;
  scenario?: string;
  clients?: string;
  clientsPerVu?: string;
  env?: string[];
  topology?: string;
  stack?: string;
  target?: string;
  allowRemote?: boolean;
  event?: string[];
  events?: boolean; // --no-events
  threshold?: string[];
  window?: string;
  settle?: string;
  out?: string;
  port?: string;
  sourceAddresses?: string;
  composeFile?: string;
  proxyService?: string;
  appService?: string;
  redisService?: string;
  proxyPort?: string;
}

/** One k6 process holds one file per connection and the machine allows 20,000 per process. */
export const MAX_SESSIONS_PER_RUN = 9_000;

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UserError(`${flag} "${text}" is not a positive whole number; give one like ${flag} 20.`);
  return Number(text);
}

function keyValues(items: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UserError(`${flag} "${item}" is not NAME=VALUE; write it like ${flag} ${flag === "--env" ? "EMIT_INTERVAL=2s" : "sessionUnknownRate=<0.1%"}.`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/i;

export function checkTarget(target: string, allowRemote: boolean): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UserError(`target "${target}" is not a URL; write it like http://127.0.0.1:3000.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UserError(`target "${target}" must start with http:// or https:// (the client derives ws:// itself).`);
  }
  if (!LOOPBACK.test(url.hostname) && !allowRemote) {
    throw new UserError(`target ${url.host} is not a loopback address; rtsoak sends load elsewhere only with --allow-remote, so add it if you own that service.`);
  }
  return url.origin;
}

export function resolveSettings(flags: RunFlags, file: ConfigFile | null, command: string, forcedProfile?: ProfileName): RunSettings {
  const profileName = (forcedProfile ?? flags.profile ?? file?.profile ?? "gate") as ProfileName;
  if (!PROFILE_NAMES.includes(profileName)) {
    throw new UserError(`profile "${profileName}" does not exist; use one of: ${PROFILE_NAMES.join(", ")}.`);
  }
  const base = PROFILES[profileName];
  const s: RunSettings = { ...base, env: { ...base.env }, thresholds: { ...base.thresholds }, events: [...base.events], command };

  // Config file.
  if (file) {
    if (file.duration) s.durationMs = parseDuration(file.duration, "duration in the config file");
    if (file.scenario) s.scenario = file.scenario;
    if (file.clients) s.clients = file.clients;
    if (file.clientsPerVu) s.clientsPerVu = file.clientsPerVu;
    if (file.env) for (const [k, v] of Object.entries(file.env)) s.env[k] = String(v);
    if (file.topology) s.topology = file.topology as RunSettings["topology"];
    if (file.stack) s.stack = file.stack as RunSettings["stack"];
    if (file.target) s.target = file.target;
    if (file.allowRemote !== undefined) s.allowRemote = file.allowRemote;
    if (file.events) s.events = file.events as Array<string | TimelineObject>;
    if (file.thresholds) Object.assign(s.thresholds, file.thresholds);
    if (file.window) s.windowMs = parseDuration(file.window, "window in the config file");
    if (file.settle) s.settleMs = parseDuration(file.settle, "settle in the config file");
    if (file.sourceAddresses) s.sourceAddresses = file.sourceAddresses;
    if (file.outDir) s.outDir = file.outDir;
    if (file.port) s.port = file.port;
    if (file.compose) s.compose = { proxyPort: 80, ...file.compose };
  }

  // Flags win.
  if (flags.duration) s.durationMs = parseDuration(flags.duration, "--duration");
  if (flags.scenario) s.scenario = flags.scenario;
  if (flags.clients) s.clients = positiveInt(flags.clients, "--clients");
  if (flags.clientsPerVu) s.clientsPerVu = positiveInt(flags.clientsPerVu, "--clients-per-vu");
  Object.assign(s.env, keyValues(flags.env, "--env"));
  if (flags.topology) s.topology = flags.topology;
  if (flags.stack) {
    if (flags.stack !== "local" && flags.stack !== "compose") throw new UserError(`--stack "${flags.stack}" is not a stack driver; use local or compose.`);
    s.stack = flags.stack;
  }
  if (flags.target) s.target = flags.target;
  if (flags.allowRemote) s.allowRemote = true;
  if (flags.events === false) s.events = [];
  if (flags.event?.length) s.events = flags.event;
  Object.assign(s.thresholds, keyValues(flags.threshold, "--threshold"));
  if (flags.window) s.windowMs = parseDuration(flags.window, "--window");
  if (flags.settle) s.settleMs = parseDuration(flags.settle, "--settle");
  if (flags.out) s.outDir = flags.out;
  if (flags.port) s.port = positiveInt(flags.port, "--port");
  if (flags.sourceAddresses) s.sourceAddresses = positiveInt(flags.sourceAddresses, "--source-addresses");
  if (flags.composeFile) {
    if (!flags.proxyService || !flags.appService) {
      throw new UserError("--compose-file needs --proxy-service and --app-service (and --redis-service if it has Redis) naming the services in that file.");
    }
    s.stack = "compose";
    s.compose = {
      file: flags.composeFile,
      proxyService: flags.proxyService,
      appService: flags.appService,
      redisService: flags.redisService,
      proxyPort: flags.proxyPort ? positiveInt(flags.proxyPort, "--proxy-port") : 80,
    };
  }

  // Whole-run checks.
  if (s.target) s.target = checkTarget(s.target, s.allowRemote);
  const sessions = s.clients * s.clientsPerVu;
  if (sessions > MAX_SESSIONS_PER_RUN) {
    throw new UserError(
      `${sessions} sessions is more than one k6 process can hold here (each process may open 20,000 files, and a polling session holds two connections); use at most ${MAX_SESSIONS_PER_RUN} sessions per run.`,
    );
  }
  if (s.durationMs < 5_000) throw new UserError(`duration ${s.durationMs / 1000}s is too short to measure anything; use 5s or more.`);
  const entries = s.events.map((e) => parseEventSpec(e));
  scheduleOffsets(entries, s.durationMs); // rejects events after the end
  if (entries.length && s.target) {
    throw new UserError("disruption events need the built-in replica (rtsoak cannot recycle workers of a target it did not start); drop --target or pass --no-events.");
  }
  return s;
}

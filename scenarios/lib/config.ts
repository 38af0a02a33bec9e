// Scenario configuration from environment variables (k6's __ENV), parsed in one place.
// Pure: takes the env as a plain object, so Node unit tests call it directly. A bad value
// throws ConfigError with one sentence naming the variable and the fix; thrown in k6's init
// context it ends the run with a non-zero exit code before any VU starts.
// The table of every variable lives in scenarios/README.md: keep the two in step.

import { DEFAULT_RECONNECT, type ReconnectPolicy } from "./reconnect.ts";

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Runner shape shared by every scenario: how many VUs, for how long. */
export interface RunConfig {
  /** Base URL of the system under test, no trailing slash (http or https). */
  target: string;
  durationMs: number;
  vus: number;
  /** k6 gracefulStop, ms: time for iterations to close their sessions at the end. */
  gracefulStopMs: number;
}

export interface SioConfig extends RunConfig {
  /** Engine.IO path, with leading and trailing slash. */
  path: string;
  namespace: string;
  /** CONNECT auth payload ({token}) or undefined for none. */
  auth?: Record<string, string>;
  clientsPerVu: number;
  /** Total Socket.IO clients (vus × clientsPerVu). */
  clients: number;
  /** How long one session lives before the client closes it and the VU opens new ones. */
  sessionMs: number;
  /** Each client starts after a random delay in [0, startJitterMs). */
  startJitterMs: number;
  /** 0 disables emitting. */
  emitIntervalMs: number;
  /** Emits sent back to back at each interval (bursts exercise POST batching on polling). */
  emitBurst: number;
  emitEvent: string;
  ack: boolean;
  ackTimeoutMs: number;
  payloadBytes: number;
  /** Room to `join` after connecting (reference apps), or undefined. */
  room?: string;
  connectTimeoutMs: number;
  upgradeTimeoutMs: number;
  /** Client-side timeout of a long-poll GET; 0 = derive from the handshake (pingInterval + pingTimeout + 5 s). */
  pollTimeoutMs: number;
  reconnect: ReconnectPolicy;
}

export interface KeepaliveConfig extends RunConfig {
  keepalivePath: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

export interface MixedConfig {
  upgrade: SioConfig;
  polling: SioConfig;
  keepalive: KeepaliveConfig;
}

export interface MatchConfig extends RunConfig {
  matchPath: string;
  clientsPerVu: number;
  clients: number;
  /** Distinct match ids the clients spread over (match-1 … match-N). */
  matches: number;
  sendIntervalMs: number;
  payloadBytes: number;
  sessionMs: number;
  startJitterMs: number;
}

// ---------------------------------------------------------------- primitives

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** k6-style duration ("500ms", "30s", "1m30s", "2h") → ms. Null when malformed. */
export function parseDurationMs(raw: string): number | null {
  const text = raw.trim();
  if (text === "") return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    if (match.index !== consumed) return null;
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = match.index + match[0].length;
  }
  if (consumed !== text.length) return null;
  return Math.round(total);
}

function present(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

export function durationVar(env: Env, name: string, fallback: string, min = 0): number {
  const raw = present(env, name) ?? fallback;
  const ms = parseDurationMs(raw);
  if (ms === null) {
    throw new ConfigError(`${name}=${raw} is not a duration; use a number with a unit, e.g. 500ms, 30s, 5m or 1h.`);
  }
  if (ms < min) throw new ConfigError(`${name}=${raw} is too short; use at least ${min}ms.`);
  return ms;
}

export function intVar(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name}=${raw} is not a whole number; set it to an integer from ${min} to ${max}.`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name}=${raw} is out of range; set it to an integer from ${min} to ${max}.`);
  return n;
}

export function fractionVar(env: Env, name: string, fallback: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(n >= 0 && n <= 1)) {
    throw new ConfigError(`${name}=${raw} is not a fraction; set it to a number from 0 to 1 (e.g. 0.2).`);
  }
  return n;
}

export function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const v = raw.toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new ConfigError(`${name}=${raw} is not a boolean; use true or false.`);
}

function pathVar(env: Env, name: string, fallback: string, trailingSlash: boolean): string {
  const raw = present(env, name) ?? fallback;
  if (!raw.startsWith("/") || /[\s?#]/.test(raw)) {
    throw new ConfigError(`${name}=${raw} is not a URL path; use an absolute path such as ${fallback}.`);
  }
  if (trailingSlash && !raw.endsWith("/")) return raw + "/";
  return raw;
}

export function targetVar(env: Env): string {
  const raw = present(env, "TARGET") ?? "http://127.0.0.1:3000";
  const m = /^(https?):\/\/([^/\s?#]+)(\/[^\s?#]*)?$/.exec(raw);
  if (!m) {
    throw new ConfigError(`TARGET=${raw} is not an http(s) base URL; use e.g. TARGET=http://127.0.0.1:3000.`);
  }
  return raw.replace(/\/+$/, "");
}

/** The websocket URL (ws/wss) for an http(s) base URL. */
export function toWsBase(httpBase: string): string {
  return httpBase.replace(/^http/, "ws");
}

// ---------------------------------------------------------------- runner shape

/**
 * VUS, or CLIENTS spread CLIENTS_PER_VU to a VU (rounded up to a whole VU); both at once is
 * ambiguous.
 */
function vusAndClients(env: Env, perVu: number, defaultVus: number): { vus: number; clients: number } {
  const vusSet = present(env, "VUS") !== undefined;
  const clientsSet = present(env, "CLIENTS") !== undefined;
  if (vusSet && clientsSet) {
    throw new ConfigError("VUS and CLIENTS are both set; set only one (CLIENTS is spread CLIENTS_PER_VU to a VU).");
  }
  if (clientsSet) {
    const wanted = intVar(env, "CLIENTS", 0, 1);
    const vus = Math.ceil(wanted / perVu);
    return { vus, clients: vus * perVu };
  }
  const vus = intVar(env, "VUS", defaultVus, 1);
  return { vus, clients: vus * perVu };
}

function runConfig(env: Env, vus: number): RunConfig {
  return {
    target: targetVar(env),
    durationMs: durationVar(env, "DURATION", "30s", 1000),
    vus,
    gracefulStopMs: durationVar(env, "GRACEFUL_STOP", "30s"),
  };
}

// ---------------------------------------------------------------- per scenario

export function loadSioConfig(env: Env): SioConfig {
  const clientsPerVu = intVar(env, "CLIENTS_PER_VU", 5, 1, 5000);
  const { vus, clients } = vusAndClients(env, clientsPerVu, 2);
  const run = runConfig(env, vus);
  const namespace = present(env, "NAMESPACE") ?? "/";
  if (!namespace.startsWith("/") || namespace.includes(",")) {
    throw new ConfigError(`NAMESPACE=${namespace} is not a Socket.IO namespace; use "/" or a name like /admin.`);
  }
  const token = present(env, "AUTH_TOKEN");
  const room = present(env, "ROOM");
  const emitEvent = present(env, "EMIT_EVENT") ?? "echo";
  const reconnect: ReconnectPolicy = {
    attempts: intVar(env, "RECONNECT_ATTEMPTS", DEFAULT_RECONNECT.attempts, 0, 1000),
    baseDelayMs: durationVar(env, "RECONNECT_DELAY", `${DEFAULT_RECONNECT.baseDelayMs}ms`),
    maxDelayMs: durationVar(env, "RECONNECT_DELAY_MAX", `${DEFAULT_RECONNECT.maxDelayMs}ms`),
    jitter: fractionVar(env, "RECONNECT_JITTER", DEFAULT_RECONNECT.jitter),
  };
  if (reconnect.maxDelayMs < reconnect.baseDelayMs) {
    throw new ConfigError("RECONNECT_DELAY_MAX is below RECONNECT_DELAY; make the maximum at least the base delay.");
  }
  const cfg: SioConfig = {
    ...run,
    path: pathVar(env, "SIO_PATH", "/socket.io/", true),
    namespace,
    clientsPerVu,
    clients,
    sessionMs: durationVar(env, "SESSION_DURATION", `${run.durationMs}ms`, 1000),
    startJitterMs: durationVar(env, "START_JITTER", "1s"),
    emitIntervalMs: durationVar(env, "EMIT_INTERVAL", "1s"),
    emitBurst: intVar(env, "EMIT_BURST", 1, 1, 10_000),
    emitEvent,
    ack: boolVar(env, "ACK", true),
    ackTimeoutMs: durationVar(env, "ACK_TIMEOUT", "10s", 1),
    payloadBytes: intVar(env, "PAYLOAD_BYTES", 16, 0, 1_000_000),
    connectTimeoutMs: durationVar(env, "CONNECT_TIMEOUT", "20s", 1),
    upgradeTimeoutMs: durationVar(env, "UPGRADE_TIMEOUT", "10s", 1),
    pollTimeoutMs: durationVar(env, "POLL_TIMEOUT", "0s"),
    reconnect,
  };
  if (token !== undefined) cfg.auth = { token };
  if (room !== undefined) cfg.room = room;
  return cfg;
}

export function loadKeepaliveConfig(env: Env, vusVar = "VUS", defaultVus = 1): KeepaliveConfig {
  const vus = intVar(env, vusVar, defaultVus, vusVar === "VUS" ? 1 : 0);
  const cfg: KeepaliveConfig = {
    ...runConfig(env, vus),
    keepalivePath: pathVar(env, "KEEPALIVE_PATH", "/api/v1/keepalive/", false),
    intervalMs: durationVar(env, "KEEPALIVE_INTERVAL", "30s", 1),
    timeoutMs: durationVar(env, "KEEPALIVE_TIMEOUT", "8s", 1),
    retries: intVar(env, "KEEPALIVE_RETRIES", 3, 0, 100),
    retryDelayMs: durationVar(env, "KEEPALIVE_RETRY_DELAY", "1s"),
  };
  return cfg;
}

/**
 * mixed: CLIENTS (or VUS × CLIENTS_PER_VU) Socket.IO clients of which POLLING_SHARE stay on
 * polling and the rest upgrade, plus KEEPALIVE_VUS keepalive tickers.
 */
export function loadMixedConfig(env: Env): MixedConfig {
  const base = loadSioConfig(env);
  const share = fractionVar(env, "POLLING_SHARE", 0.2);
  const pollingVus = Math.round(base.vus * share);
  const upgradeVus = base.vus - pollingVus;
  const keepalive = loadKeepaliveConfig(env, "KEEPALIVE_VUS", 1);
  return {
    upgrade: { ...base, vus: upgradeVus, clients: upgradeVus * base.clientsPerVu },
    polling: { ...base, vus: pollingVus, clients: pollingVus * base.clientsPerVu },
    keepalive,
  };
}

export function loadMatchConfig(env: Env): MatchConfig {
  const clientsPerVu = intVar(env, "CLIENTS_PER_VU", 5, 1, 5000);
  const { vus, clients } = vusAndClients(env, clientsPerVu, 2);
  const run = runConfig(env, vus);
  return {
    ...run,
    matchPath: pathVar(env, "MATCH_PATH", "/api/match/game", false),
    clientsPerVu,
    clients,
    matches: intVar(env, "MATCHES", 4, 1, 1_000_000),
    sendIntervalMs: durationVar(env, "MATCH_SEND_INTERVAL", "1s"),
    payloadBytes: intVar(env, "PAYLOAD_BYTES", 16, 0, 1_000_000),
    sessionMs: durationVar(env, "SESSION_DURATION", `${run.durationMs}ms`, 1000),
    startJitterMs: durationVar(env, "START_JITTER", "1s"),
  };
}

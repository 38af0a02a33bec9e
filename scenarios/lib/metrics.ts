// Every custom metric and tag name rtsoak emits from inside k6, in one place.
// The harness's analysis imports the same constants (this file is pure: no k6 imports),
// so a rename here is a rename everywhere.

/** Custom k6 metric names. */
export const METRIC = {
  /** Counter, one per classified failure. Tags: kind, transport, op, scenario (+ code for ws closes). */
  failures: "sio_failures",
  /** Counter, Engine.IO sessions that completed the handshake (`0{…}` received). */
  sessionsOpened: "sio_sessions_opened",
  /** Counter, sessions that ended without the client asking (server close, error, ping timeout). */
  sessionsLost: "sio_sessions_lost",
  /** Counter, sessions re-established by the client's reconnection logic. */
  reconnects: "sio_reconnects",
  /** Counter, Socket.IO namespace CONNECTs acknowledged by `40…`. */
  namespaceConnects: "sio_namespace_connects",
  /** Trend (ms), from the first handshake request to the namespace CONNECT acknowledged. */
  connectTime: "sio_connect_time",
  /** Trend (ms), emit-with-ack round trip. */
  ackRtt: "sio_ack_rtt",
  /** Counter, websocket closes by code. Tags: code, transport, op, scenario. */
  wsCloses: "sio_ws_closes",
  /** Counter, polling→websocket upgrades completed (`5` sent after `3probe`). */
  upgrades: "sio_upgrades",
  /** Counter, server-pushed events received. Tag: event. */
  eventsReceived: "sio_events_received",
  /** Counter, keepalive ticks by health state. Tags: health (healthy|degraded|critical|error). */
  keepaliveHealth: "keepalive_health",
  /** Trend (ms), keepalive tick latency including retries. */
  keepaliveDuration: "keepalive_duration",
  /** Counter, plain websocket messages received on the match endpoint. */
  matchMessages: "match_messages",
  /** Counter, plain websocket messages sent on the match endpoint. */
  matchMessagesSent: "match_messages_sent",
  /** Counter, emits sent (with or without ack). Tags: transport, scenario. */
  emits: "sio_emits",
} as const;

/** Tag keys. Requests and sockets carry these, never a raw URL with a sid or cache-buster. */
export const TAG = {
  name: "name",
  transport: "transport",
  op: "op",
  scenario: "scenario",
  kind: "kind",
  code: "code",
  health: "health",
  event: "event",
} as const;

export type Transport = "polling" | "websocket" | "http";

/** `op` values: what a request or socket is for. */
export const OP = {
  handshake: "handshake",
  poll: "poll",
  post: "post",
  upgrade: "upgrade",
  websocket: "websocket",
  keepalive: "keepalive",
  match: "match",
} as const;
export type Op = (typeof OP)[keyof typeof OP];

/** Failure kinds, as in shared/docs/protocol.md. Websocket closes are `ws_close_<code>`. */
export const FAILURE = {
  sessionUnknown: "session_unknown",
  badRequest: "bad_request",
  forbidden: "forbidden",
  badGateway: "bad_gateway",
  unavailable: "unavailable",
  gatewayTimeout: "gateway_timeout",
  network: "network",
  pingTimeout: "ping_timeout",
  upgradeFailed: "upgrade_failed",
  connectError: "connect_error",
  httpError: "http_error",
  /** A websocket handshake answered with something other than 101 (k6 does not expose the
   *  status to scripts; it is the `status` tag of k6's own ws_connecting samples). */
  wsHandshake: "ws_handshake",
  /** The session was closed by the server on purpose: Engine.IO `1`, Socket.IO `41`, or
   *  Python's empty poll body. */
  serverClose: "server_close",
  /** A 200 answer the client could not read (no open packet, unparseable payload, POST not ok). */
  protocolError: "protocol_error",
  /** An emit-with-ack whose ack did not come back within the ack timeout. */
  ackTimeout: "ack_timeout",
} as const;
export type FailureKind = (typeof FAILURE)[keyof typeof FAILURE] | `ws_close_${number}`;

/** k6 system tags rtsoak keeps. `url` is deliberately absent: it would carry sids. */
export const SYSTEM_TAGS = [
  "proto",
  "status",
  "method",
  "name",
  "group",
  "check",
  "error",
  "error_code",
  "scenario",
  "expected_response",
] as const;

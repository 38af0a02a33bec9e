// Failure classification: what went wrong, as one of the kinds in docs/protocol.md.
// Pure (no k6 imports): the client calls it inside k6, the unit tests call it in Node with
// the exact bodies Node's engine.io and python-engineio answer.

import { FAILURE, type FailureKind } from "./metrics.ts";

/** What an HTTP answer (or its absence) looked like. */
export interface HttpOutcome {
  /** HTTP status; 0 when no answer arrived (refused, reset, client timeout). */
  status: number;
  body?: string | null;
  contentType?: string | null;
  /** k6's `error` string (empty when there was none). */
  error?: string | null;
}

/** Node engine.io error codes (body `{"code":N,"message":"…"}`). 1 = "Session ID unknown". */
const NODE_SESSION_UNKNOWN = 1;

/** The body's JSON value, or undefined when it is not JSON. */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * True when a 400 body says the sid is not known here:
 * Node `{"code":1,"message":"Session ID unknown"}` (application/json),
 * Node's raw websocket refusal `Session ID unknown` (text/plain),
 * Python `"Invalid session"` (a JSON string, quotes included; some versions append the sid).
 */
export function isSessionUnknownBody(body: string | null | undefined): boolean {
  if (!body) return false;
  const text = body.trim();
  const json = parseJson(text);
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    return (json as { code?: unknown }).code === NODE_SESSION_UNKNOWN;
  }
  const message = typeof json === "string" ? json : text;
  return /^invalid session\b/i.test(message) || /^session id unknown\b/i.test(message);
}

/** Failure kind of a non-2xx HTTP answer, or of a request that got no answer (status 0). */
export function classifyHttp(outcome: HttpOutcome): FailureKind | null {
  const { status } = outcome;
  if (!status) return FAILURE.network;
  if (status >= 200 && status < 300) return null;
  switch (status) {
    case 400:
      return isSessionUnknownBody(outcome.body) ? FAILURE.sessionUnknown : FAILURE.badRequest;
    case 403:
      return FAILURE.forbidden;
    case 502:
      return FAILURE.badGateway;
    case 503:
      return FAILURE.unavailable;
    case 504:
      return FAILURE.gatewayTimeout;
    default:
      return FAILURE.httpError;
  }
}

/** `ws_close_<code>`; a close without a code (k6 leaves it unset) is 1005, "no status received". */
export function wsCloseKind(code: number | undefined | null): FailureKind {
  const c = typeof code === "number" && code > 0 ? code : 1005;
  return `ws_close_${c}`;
}

/**
 * Failure kind of a websocket that never opened, from k6's error string: a non-101 answer
 * is "websocket: bad handshake" (k6 does not show the status to scripts), anything else
 * (refused, reset, DNS, timeout) is a network failure.
 */
export function classifyWsDialError(error: string | null | undefined): FailureKind {
  if (error && /bad handshake/i.test(error)) return FAILURE.wsHandshake;
  return FAILURE.network;
}

/** A successful polling POST answers `ok` (Node) or `OK` (Python). */
export function isPostOk(body: string | null | undefined): boolean {
  return typeof body === "string" && body.trim().toLowerCase() === "ok";
}

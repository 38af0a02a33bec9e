import { describe, expect, it } from "vitest";
import {
  classifyHttp,
  classifyWsDialError,
  isPostOk,
  isSessionUnknownBody,
  wsCloseKind,
} from "../../scenarios/lib/classify.ts";

const NODE_JSON = "application/json";
const PY_TEXT = "text/plain";

describe("classifyHttp: Node engine.io answers", () => {
  const cases: Array<[string, number, string, string]> = [
    ["session_unknown", 400, '{"code":1,"message":"Session ID unknown"}', NODE_JSON],
    ["bad_request", 400, '{"code":0,"message":"Transport unknown"}', NODE_JSON],
    ["bad_request", 400, '{"code":2,"message":"Bad handshake method"}', NODE_JSON],
    ["bad_request", 400, '{"code":3,"message":"Bad request"}', NODE_JSON],
    ["forbidden", 403, '{"code":4,"message":"Forbidden"}', NODE_JSON],
    ["bad_request", 400, '{"code":5,"message":"Unsupported protocol version"}', NODE_JSON],
    // A failed real websocket upgrade on Node: raw 400 with a plain-text reason.
    ["session_unknown", 400, "Session ID unknown", "text/plain"],
    ["bad_request", 400, "Bad Request", "text/plain"],
  ];
  for (const [kind, status, body, contentType] of cases) {
    it(`${status} ${body} → ${kind}`, () => {
      expect(classifyHttp({ status, body, contentType })).toBe(kind);
    });
  }
});

describe("classifyHttp: python-engineio answers", () => {
  const cases: Array<[string, number, string]> = [
    ["session_unknown", 400, '"Invalid session"'],
    ["session_unknown", 400, '"Invalid session 5d1b8a3c0f2e4b7a9e6c"'],
    ["bad_request", 400, '"Invalid transport"'],
    ["bad_request", 400, '"Invalid websocket upgrade"'],
    ["bad_request", 400, '"The client is using an unsupported version of the Socket.IO or Engine.IO protocols"'],
    ["bad_request", 400, '"Bad Request"'],
    ["http_error", 401, '"Unauthorized"'],
    ["http_error", 405, "Method Not Found"],
  ];
  for (const [kind, status, body] of cases) {
    it(`${status} ${body} → ${kind}`, () => {
      expect(classifyHttp({ status, body, contentType: PY_TEXT })).toBe(kind);
    });
  }
});

describe("classifyHttp: proxies and the network", () => {
  it("maps gateway statuses whatever the body", () => {
    const html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    expect(classifyHttp({ status: 502, body: html, contentType: "text/html" })).toBe("bad_gateway");
    expect(classifyHttp({ status: 503, body: "<html>No server is available</html>" })).toBe("unavailable");
    expect(classifyHttp({ status: 504, body: "" })).toBe("gateway_timeout");
    expect(classifyHttp({ status: 403, body: "<html>forbidden</html>" })).toBe("forbidden");
  });
  it("an nginx 400 page is a bad request, not an unknown session", () => {
    expect(classifyHttp({ status: 400, body: "<html>400 Bad Request</html>", contentType: "text/html" })).toBe(
      "bad_request",
    );
  });
  it("status 0 is a network failure (refused, reset, client timeout)", () => {
    expect(classifyHttp({ status: 0, error: "dial tcp 127.0.0.1:1: connect: connection refused" })).toBe("network");
    expect(classifyHttp({ status: 0, error: "request timeout" })).toBe("network");
    expect(classifyHttp({ status: 0 })).toBe("network");
  });
  it("2xx is not a failure", () => {
    expect(classifyHttp({ status: 200, body: "ok" })).toBeNull();
    expect(classifyHttp({ status: 204, body: "" })).toBeNull();
  });
  it("other statuses are generic http errors", () => {
    expect(classifyHttp({ status: 413, body: "" })).toBe("http_error");
    expect(classifyHttp({ status: 500, body: "" })).toBe("http_error");
    expect(classifyHttp({ status: 101, body: "" })).toBe("http_error");
  });
});

describe("isSessionUnknownBody", () => {
  it("does not match other Node codes or unrelated text", () => {
    expect(isSessionUnknownBody('{"code":3,"message":"Bad request"}')).toBe(false);
    expect(isSessionUnknownBody('{"message":"Session ID unknown"}')).toBe(false);
    expect(isSessionUnknownBody("")).toBe(false);
    expect(isSessionUnknownBody(null)).toBe(false);
    expect(isSessionUnknownBody('"Invalid sessions are fine"')).toBe(false);
    expect(isSessionUnknownBody("[1]")).toBe(false);
  });
  it("tolerates surrounding whitespace", () => {
    expect(isSessionUnknownBody('  {"code":1,"message":"Session ID unknown"}\n')).toBe(true);
    expect(isSessionUnknownBody('"Invalid session"\n')).toBe(true);
  });
});

describe("websocket failures", () => {
  it("names closes by code; a missing code is 1005", () => {
    expect(wsCloseKind(1006)).toBe("ws_close_1006");
    expect(wsCloseKind(1001)).toBe("ws_close_1001");
    expect(wsCloseKind(undefined)).toBe("ws_close_1005");
    expect(wsCloseKind(0)).toBe("ws_close_1005");
  });
  it("a non-101 answer is a handshake failure, a dial error is network", () => {
    expect(classifyWsDialError("websocket: bad handshake")).toBe("ws_handshake");
    expect(classifyWsDialError("dial tcp 127.0.0.1:9: connect: connection refused")).toBe("network");
    expect(classifyWsDialError("")).toBe("network");
  });
});

describe("isPostOk", () => {
  it("accepts Node's ok and Python's OK only", () => {
    expect(isPostOk("ok")).toBe(true);
    expect(isPostOk("OK")).toBe(true);
    expect(isPostOk("")).toBe(false);
    expect(isPostOk('{"code":1,"message":"Session ID unknown"}')).toBe(false);
    expect(isPostOk(null)).toBe(false);
  });
});

// The keepalive tick a production front end sends: GET /api/v1/keepalive/ with an 8 s
// timeout and up to 3 retries, reading serverHealth.status (healthy | degraded | critical)
// from the JSON body. Each tick adds one keepalive_health sample tagged with the health it
// read, or "error" when no attempt produced a valid answer; each failed attempt is also a
// classified failure (op keepalive).

import http from "k6/http";
import { classifyHttp } from "./classify.ts";
import type { KeepaliveConfig } from "./config.ts";
import { keepaliveDuration, keepaliveHealth, recordFailure, requestTags, tagsOf } from "./instruments.ts";
import { now, sleepFor } from "./k6-adapters.ts";
import { FAILURE, OP, TAG, type FailureKind } from "./metrics.ts";
import { isHealth, readHealth, type Health, type ServerHealth } from "./health.ts";

/** One attempt: the health read, or the failure kind. */
async function attempt(url: string, cfg: KeepaliveConfig, scenario: string): Promise<ServerHealth | FailureKind> {
  let res;
  try {
    res = await http.asyncRequest("GET", url, null, {
      tags: requestTags("http", OP.keepalive, scenario),
      timeout: cfg.timeoutMs,
      responseType: "text",
    });
  } catch {
    return FAILURE.network;
  }
  const kind = classifyHttp({ status: res.status, body: res.body as string | null, error: res.error });
  if (kind) return kind;
  return readHealth(res.body as string | null) ?? FAILURE.protocolError;
}

/** One tick with retries. Returns the health recorded. */
export async function keepaliveTick(cfg: KeepaliveConfig, scenario: string): Promise<Health> {
  const url = cfg.target + cfg.keepalivePath;
  const started = now();
  let health: Health = "error";
  for (let i = 0; i <= cfg.retries; i++) {
    if (i > 0 && cfg.retryDelayMs > 0) await sleepFor(cfg.retryDelayMs).promise;
    const result = await attempt(url, cfg, scenario);
    if (isHealth(result)) {
      health = result;
      break;
    }
    recordFailure(result, "http", OP.keepalive, scenario);
  }
  const tags = tagsOf("http", OP.keepalive, scenario);
  keepaliveHealth.add(1, { ...tags, [TAG.health]: health });
  keepaliveDuration.add(now() - started, tags);
  return health;
}

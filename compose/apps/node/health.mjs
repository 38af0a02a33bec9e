// GET /api/v1/keepalive/ : redis PING with a short timeout (when REDIS_URL is set) and
// a heap check. Redis offline -> "degraded" (still 200); memory critical -> "critical".

import v8 from "node:v8";
import { Redis } from "ioredis";

const PING_TIMEOUT_MS = 300;

/** A dedicated client: no offline queue, fast reconnects, so a PING fails at once while Redis is down. */
export function createHealthRedis(url, onError) {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => 500,
    lazyConnect: false,
  });
  client.on("error", onError);
  return client;
}

async function checkRedis(client) {
  if (!client) return "disabled";
  let timer;
  try {
    const pong = await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("ping timeout")), PING_TIMEOUT_MS);
      }),
    ]);
    return pong === "PONG" ? "ok" : "offline";
  } catch {
    return "offline";
  } finally {
    clearTimeout(timer);
  }
}

function checkMemory() {
  const { used_heap_size: used, heap_size_limit: limit } = v8.getHeapStatistics();
  const ratio = used / limit;
  if (ratio >= 0.9) return "critical";
  if (ratio >= 0.75) return "warning";
  return "ok";
}

export async function keepalive(client, instance) {
  const redis = await checkRedis(client);
  const memory = checkMemory();
  let status = "healthy";
  if (redis === "offline" || memory === "warning") status = "degraded";
  if (memory === "critical") status = "critical";
  return { serverHealth: { status, checks: { redis, memory } }, instance, pid: process.pid };
}

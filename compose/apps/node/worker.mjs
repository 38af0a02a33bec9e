// One cluster worker: HTTP routes, Socket.IO, the match websocket, request counting
// with gunicorn-style max-requests recycling, and graceful draining.
//
// Draining = stop accepting, answer what is in flight with Connection: close, then after
// GRACEFUL_TIMEOUT_MS destroy whatever is still open (pending long-polls, websockets) and
// exit. Sessions are not closed politely: they vanish, as when gunicorn recycles a worker.

import http from "node:http";
import { randomInt } from "node:crypto";
import { createHealthRedis, keepalive } from "./health.mjs";
import { createMatchServer, MATCH_PATH } from "./match.mjs";
import { createRealtime } from "./realtime.mjs";

const SOCKET_IO_PATH = "/socket.io/";

export function runWorker(config, log) {
  const limit = config.maxRequests > 0 ? config.maxRequests + randomInt(0, config.maxRequestsJitter + 1) : 0;
  let requests = 0;
  let retiring = false; // asked the primary for a replacement
  let draining = false;
  const sockets = new Set();

  // Redis errors: one line when a client goes offline, one when it is back.
  const redisDown = new Set();
  const onRedisError = (client, err) => {
    if (redisDown.has(client)) return;
    redisDown.add(client);
    log("redis_error", { client, error: err && err.message ? err.message : String(err) }, "warn");
  };
  const watchReady = (client, name) =>
    client.on("ready", () => {
      if (redisDown.delete(name)) log("redis_ready", { client: name });
    });

  const healthRedis = config.redisUrl ? createHealthRedis(config.redisUrl, (err) => onRedisError("health", err)) : null;
  if (healthRedis) watchReady(healthRedis, "health");

  const server = http.createServer(async (req, res) => {
    const path = (req.url || "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return;
    }
    if (req.method === "GET" && (path === "/api/v1/keepalive/" || path === "/api/v1/keepalive")) {
      const body = await keepalive(healthRedis, config.instance);
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found");
  });
  server.keepAliveTimeout = Math.max(5000, config.pingInterval + config.pingTimeout);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const realtime = createRealtime(server, config, log, onRedisError);
  for (const [i, c] of realtime.redisClients.entries()) watchReady(c, i === 0 ? "pub" : "sub");
  const match = createMatchServer({ instance: config.instance });

  const count = () => {
    requests += 1;
    if (limit > 0 && requests >= limit && !retiring) {
      retire("max_requests");
    }
  };
  // Prepended so they run before engine.io's own listeners (which wrap ours).
  server.prependListener("request", (req, res) => {
    count();
    if (draining) res.shouldKeepAlive = false;
  });
  server.prependListener("upgrade", () => count());
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url || "/", "http://localhost");
    if (url.pathname.startsWith(SOCKET_IO_PATH)) return; // engine.io handles it
    if (draining) return void socket.destroy();
    if (url.pathname === MATCH_PATH) return match.handleUpgrade(req, socket, head, url);
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
  });

  /** Ask the primary for a replacement first; drain when told (or on our own if it stays silent). */
  function retire(reason) {
    if (retiring || draining) return;
    retiring = true;
    log("worker_recycle", { reason, requests, limit });
    if (process.connected) {
      process.send({ cmd: "retire", reason });
      setTimeout(() => drain(reason), 3000).unref();
    } else drain(reason);
  }

  function drain(reason) {
    if (draining) return;
    draining = true;
    if (reason === "shutdown") log("shutdown", { requests });
    else if (!retiring) log("worker_recycle", { reason, requests, limit });
    retiring = true;
    server.close(() => process.exit(0)); // every connection ended before the grace period
    server.closeIdleConnections();
    realtime.stop();
    if (healthRedis) healthRedis.disconnect();
    setTimeout(() => {
      for (const s of sockets) s.destroy();
      process.exit(0);
    }, config.gracefulTimeoutMs);
  }

  process.on("message", (message) => {
    if (!message) return;
    if (message.cmd === "started") {
      log.release();
      log("worker_start", { port: server.address() && server.address().port, limit });
    } else if (message.cmd === "drain") {
      drain(message.reason || "drain");
    }
  });
  process.on("SIGTERM", () => retire("sigterm"));
  // The primary decides about SIGINT (Ctrl-C reaches the whole group) and SIGHUP.
  process.on("SIGINT", () => {});
  process.on("SIGHUP", () => {});
  process.on("disconnect", () => drain("shutdown")); // primary is gone
  process.on("unhandledRejection", (err) => {
    // The Redis adapter publishes without catching: while Redis is down every broadcast
    // rejects. Count it as the pub client's outage (one line) and keep serving.
    const pub = realtime.redisClients[0];
    if (pub && pub.status !== "ready") onRedisError("pub", err);
    else log("worker_error", { error: err && err.message ? err.message : String(err) }, "error");
  });

  server.on("error", (err) => {
    process.stderr.write(`node-app worker ${process.pid}: ${err.message}\n`);
    process.exit(3);
  });
  server.listen(config.port, config.host);
}

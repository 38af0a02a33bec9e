// Socket.IO server: namespaces "/" and "/admin" (auth {token:"secret"}), events echo /
// join / broadcast, and the server-pushed "tick". Optional Redis adapter.

import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";

const ADMIN_TOKEN = "secret";

function wireEvents(io, nsp, log) {
  nsp.on("connection", (socket) => {
    log("connect", { sid: socket.id, nsp: nsp.name, transport: socket.conn.transport.name });
    socket.on("disconnect", (reason) => {
      log("disconnect", { sid: socket.id, nsp: nsp.name, reason });
    });
    socket.on("echo", (...args) => {
      // Acks back all its arguments; without an ack id nothing is sent (as in the Flask app).
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
      if (ack) ack(...args);
    });
    socket.on("join", (room, ack) => {
      const name = String(room);
      socket.join(name);
      if (typeof ack === "function") ack({ ok: true, room: name });
    });
    socket.on("broadcast", (msg, ack) => {
      const room = msg && typeof msg === "object" && msg.room != null ? String(msg.room) : undefined;
      const payload = msg && typeof msg === "object" ? msg.payload : msg;
      const body = { room: room ?? null, payload, from: socket.id };
      if (room) nsp.to(room).emit("broadcast", body);
      else nsp.emit("broadcast", body);
      if (typeof ack === "function") ack({ ok: true });
    });
  });
}

function createRedisAdapter(url, onError) {
  const options = { retryStrategy: (times) => Math.min(times * 100, 1000) };
  // Publishing while Redis is down fails at once instead of piling up in memory.
  const pub = new Redis(url, { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  // Subscriptions wait for Redis and are restored by ioredis after a reconnect.
  const sub = new Redis(url, { ...options, maxRetriesPerRequest: null });
  pub.on("error", (err) => onError("pub", err));
  sub.on("error", (err) => onError("sub", err));
  return { adapter: createAdapter(pub, sub, { requestsTimeout: 2000 }), clients: [pub, sub] };
}

export function createRealtime(httpServer, config, log, onRedisError) {
  const redisClients = [];
  const options = {
    pingInterval: config.pingInterval,
    pingTimeout: config.pingTimeout,
    // Non-Socket.IO upgrades (the match websocket) are routed by the worker itself.
    destroyUpgrade: false,
  };
  if (config.adapter === "redis") {
    const { adapter, clients } = createRedisAdapter(config.redisUrl, onRedisError);
    options.adapter = adapter;
    redisClients.push(...clients);
  }
  const io = new Server(httpServer, options);
  const admin = io.of("/admin");
  admin.use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === ADMIN_TOKEN) next();
    else next(new Error("Not authorized"));
  });
  wireEvents(io, io.of("/"), log);
  wireEvents(io, admin, log);

  let tickTimer;
  if (config.tickMs > 0) {
    let n = 0;
    tickTimer = setInterval(() => {
      n += 1;
      const body = { n, ts: Date.now(), pid: process.pid };
      // local: every worker ticks its own clients, the adapter must not fan it out.
      io.local.emit("tick", body);
      admin.local.emit("tick", body);
    }, config.tickMs);
    tickTimer.unref();
  }

  const stop = () => {
    if (tickTimer) clearInterval(tickTimer);
    for (const c of redisClients) c.disconnect();
  };
  return { io, stop, redisClients };
}

// The cluster primary: forks WORKERS workers sharing PORT (round-robin, no sticky
// routing), replaces any worker that exits, rolls all workers on SIGHUP and shuts
// everything down on SIGTERM / SIGINT.
//
// Messages primary -> worker: {cmd:"started"} (announced, may log), {cmd:"drain", reason}.
// Messages worker -> primary: {cmd:"retire", reason} (asks for a replacement first).

import cluster from "node:cluster";

const MAX_START_FAILURES = 3;

export function runPrimary(config, log) {
  const state = {
    shuttingDown: false,
    announced: false,
    startFailures: 0,
    /** worker.id -> { listening, retiring, reason } */
    meta: new Map(),
  };

  const activeListening = () =>
    Object.values(cluster.workers).filter((w) => {
      const m = state.meta.get(w.id);
      return m && m.listening && !m.retiring;
    });

  const drain = (worker, reason) => {
    if (worker.isConnected()) worker.send({ cmd: "drain", reason });
    else worker.process.kill("SIGTERM");
  };

  /** Forks a worker; `onListening` runs once it serves. */
  const fork = (onListening) => {
    const worker = cluster.fork();
    state.meta.set(worker.id, { listening: false, retiring: false, onListening });
    return worker;
  };

  /** Replace `old` with a fresh worker; drain `old` as soon as no listening gap can open. */
  const replace = (old, reason) => {
    const meta = state.meta.get(old.id);
    if (!meta || meta.retiring) return;
    meta.retiring = true;
    meta.reason = reason;
    const othersServe = activeListening().length > 0;
    fork(() => {
      if (!othersServe) drain(old, reason);
    });
    if (othersServe) drain(old, reason);
  };

  cluster.on("listening", (worker, address) => {
    const meta = state.meta.get(worker.id);
    if (!meta) return;
    meta.listening = true;
    state.startFailures = 0;
    if (!state.announced) {
      state.announced = true;
      log("listening", { port: address.port, host: config.host, workers: config.workers, adapter: config.adapter, redis: config.redisUrl ? "configured" : "disabled" });
    }
    if (worker.isConnected()) worker.send({ cmd: "started" });
    const hook = meta.onListening;
    meta.onListening = undefined;
    if (hook) hook();
    if (state.shuttingDown) drain(worker, "shutdown");
  });

  cluster.on("message", (worker, message) => {
    if (!message || message.cmd !== "retire") return;
    if (state.shuttingDown) drain(worker, "shutdown");
    else replace(worker, message.reason || "retire");
  });

  cluster.on("exit", (worker, code, signal) => {
    const meta = state.meta.get(worker.id) || { listening: false, retiring: false };
    state.meta.delete(worker.id);
    const planned = meta.retiring || state.shuttingDown;
    log("worker_exit", { worker_pid: worker.process.pid, code, signal, planned, reason: meta.reason || (signal ? "signal" : "exit") }, planned ? "info" : "warn");
    if (state.shuttingDown) {
      if (Object.keys(cluster.workers).length === 0) finishShutdown(0);
      return;
    }
    if (meta.retiring) return; // its replacement was forked already
    if (!meta.listening) {
      state.startFailures += 1;
      if (state.startFailures >= MAX_START_FAILURES && activeListening().length === 0) {
        log("shutdown", { reason: "workers fail to start", failures: state.startFailures }, "error");
        process.stderr.write(`node-app: workers failed to start ${state.startFailures} times in a row (is ${config.host}:${config.port} free?).\n`);
        beginShutdown("startup_failure", 1);
        return;
      }
    }
    fork();
  });

  let exitCode = 0;
  let hardTimer;
  const finishShutdown = (forced) => {
    if (hardTimer) clearTimeout(hardTimer);
    log("shutdown", { phase: "done", forced });
    process.exit(exitCode);
  };
  const beginShutdown = (signal, code = 0) => {
    if (state.shuttingDown) return;
    state.shuttingDown = true;
    exitCode = code;
    log("shutdown", { phase: "begin", signal });
    const workers = Object.values(cluster.workers);
    if (workers.length === 0) return finishShutdown(0);
    for (const w of workers) {
      const meta = state.meta.get(w.id);
      if (meta && !meta.retiring) meta.reason = "shutdown";
      drain(w, "shutdown");
    }
    hardTimer = setTimeout(() => {
      const left = Object.values(cluster.workers);
      for (const w of left) w.process.kill("SIGKILL");
      finishShutdown(left.length);
    }, config.gracefulTimeoutMs + 1000);
  };

  process.on("SIGTERM", () => beginShutdown("SIGTERM"));
  process.on("SIGINT", () => beginShutdown("SIGINT"));
  process.on("SIGHUP", () => {
    if (state.shuttingDown) return;
    const old = Object.values(cluster.workers).filter((w) => !state.meta.get(w.id)?.retiring);
    log("recycle_all", { workers: old.map((w) => w.process.pid) });
    for (const w of old) replace(w, "recycle_all");
  });

  for (let i = 0; i < config.workers; i++) fork();
}

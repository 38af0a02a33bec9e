// Reads the launch contract (environment variables) once, with defaults.
// A bad value ends the process with one sentence on stderr and exit code 2.

function fail(message) {
  process.stderr.write(`node-app: ${message}\n`);
  process.exit(2);
}

function intVar(env, name, fallback, { min = 0, required = false } = {}) {
  const raw = env[name];
  if (raw === undefined || raw === "") {
    if (required) fail(`${name} is required (e.g. ${name}=3000).`);
    return fallback;
  }
  if (!/^\d+$/.test(raw.trim())) fail(`${name}=${raw} is not a whole number; set it to an integer >= ${min}.`);
  const value = Number(raw);
  if (value < min) fail(`${name}=${raw} is below ${min}; set it to an integer >= ${min}.`);
  return value;
}

export function readConfig(env = process.env) {
  const port = intVar(env, "PORT", 0, { required: true });
  if (port > 65535) fail(`PORT=${port} is not a TCP port; use 0..65535.`);
  const adapter = (env.ADAPTER || "none").toLowerCase();
  if (adapter !== "none" && adapter !== "redis") fail(`ADAPTER=${env.ADAPTER} is unknown; use none or redis.`);
  const redisUrl = env.REDIS_URL || "";
  if (adapter === "redis" && !redisUrl) fail("ADAPTER=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379).");
  return {
    port,
    host: env.HOST || "127.0.0.1",
    instance: env.INSTANCE_ID || "app1",
    workers: intVar(env, "WORKERS", 1, { min: 1 }),
    maxRequests: intVar(env, "MAX_REQUESTS", 0),
    maxRequestsJitter: intVar(env, "MAX_REQUESTS_JITTER", 0),
    redisUrl,
    adapter,
    pingInterval: intVar(env, "PING_INTERVAL", 25000, { min: 1 }),
    pingTimeout: intVar(env, "PING_TIMEOUT", 20000, { min: 1 }),
    tickMs: intVar(env, "TICK_MS", 5000),
    gracefulTimeoutMs: intVar(env, "GRACEFUL_TIMEOUT_MS", 1000),
  };
}

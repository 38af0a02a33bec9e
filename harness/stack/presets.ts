// Named topologies for the common production shapes. Each preset is the defaults plus a few
// keys; `rtsoak stack up --topology <name>` and topology files (`extends: <name>`) start here.
import type { Topology } from "./types.ts";

/** What every preset starts from: one Node instance behind nginx, Redis on. */
export const DEFAULT_TOPOLOGY: Topology = {
  name: "custom",
  proxy: "nginx",
  stickiness: "none",
  instances: 1,
  workersPerInstance: 1,
  app: "node",
  maxRequests: 0,
  maxRequestsJitter: 0,
  redis: true,
  adapter: "redis",
  websocketHeaders: true,
  // read/tunnel above pingInterval + pingTimeout, so idle polls and websockets survive.
  proxyTimeouts: { connect: 5, read: 60, tunnel: 3600 },
  pingIntervalMs: 25_000,
  pingTimeoutMs: 20_000,
};

export const DEFAULT_FLASK: NonNullable<Topology["flask"]> = { workerClass: "geventwebsocket", asyncMode: "gevent" };

interface Preset {
  description: string;
  topology: Partial<Topology>;
}

const flask = { app: "flask", flask: DEFAULT_FLASK } as const;

export const PRESETS: Record<string, Preset> = {
  "nginx-rr-2x1": {
    description: "nginx round robin over 2 single-worker Node instances (no stickiness: polling breaks)",
    topology: { proxy: "nginx", stickiness: "none", instances: 2, workersPerInstance: 1 },
  },
  "nginx-iphash-2x1": {
    description: "nginx ip_hash over 2 single-worker Node instances (sticky by client address)",
    topology: { proxy: "nginx", stickiness: "ip-hash", instances: 2, workersPerInstance: 1 },
  },
  "nginx-rr-2x2": {
    description: "nginx round robin over 2 Node instances with 2 cluster workers each",
    topology: { proxy: "nginx", stickiness: "none", instances: 2, workersPerInstance: 2 },
  },
  "nginx-header-2x1": {
    description: "nginx `hash $http_x_client_id consistent` over 2 single-worker Node instances",
    topology: { proxy: "nginx", stickiness: "header", instances: 2, workersPerInstance: 1 },
  },
  "nginx-noupgrade-1x1": {
    description: "nginx without Upgrade/Connection headers in front of one Node worker (websocket upgrades fail)",
    topology: { proxy: "nginx", instances: 1, workersPerInstance: 1, websocketHeaders: false },
  },
  "haproxy-rr-2x1": {
    description: "HAProxy round robin over 2 single-worker Node instances (no stickiness)",
    topology: { proxy: "haproxy", stickiness: "none", instances: 2, workersPerInstance: 1 },
  },
  "haproxy-cookie-3x1": {
    description: "HAProxy SERVERID cookie stickiness over 3 single-worker Node instances",
    topology: { proxy: "haproxy", stickiness: "cookie", instances: 3, workersPerInstance: 1 },
  },
  "gunicorn-2w": {
    description: "nginx in front of one Flask-SocketIO gunicorn instance with 2 workers (the incident: Invalid session)",
    topology: { ...flask, proxy: "nginx", instances: 1, workersPerInstance: 2 },
  },
  "gunicorn-1w": {
    description: "nginx in front of one Flask-SocketIO gunicorn instance with 1 worker",
    topology: { ...flask, proxy: "nginx", instances: 1, workersPerInstance: 1 },
  },
  "node-1x1": {
    description: "one single-worker Node instance, no proxy",
    topology: { proxy: "none", stickiness: "none", instances: 1, workersPerInstance: 1 },
  },
  "flask-nginx-iphash-2x1": {
    description: "nginx ip_hash over 2 single-worker Flask-SocketIO instances sharing a Redis message queue",
    topology: { ...flask, proxy: "nginx", stickiness: "ip-hash", instances: 2, workersPerInstance: 1 },
  },
};

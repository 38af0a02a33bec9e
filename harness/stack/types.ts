// The topology model (one source of truth rendered by every stack driver) and the
// driver interface the rest of the harness sees. Drivers implement StackDriver;
// nothing outside harness/stack/ touches processes or containers directly.

export type ProxyKind = "nginx" | "haproxy" | "none";
export type Stickiness = "none" | "ip-hash" | "cookie" | "header";
export type AppFlavor = "node" | "flask";

export interface Topology {
  /** Preset name or "custom". */
  name: string;
  proxy: ProxyKind;
  stickiness: Stickiness;
  /** App instances behind the proxy (each listens on its own port / container). */
  instances: number;
  /** Workers per instance: gunicorn -w N, or a Node cluster of N sharing one port. */
  workersPerInstance: number;
  app: AppFlavor;
  /** Flask only: gunicorn worker class and Flask-SocketIO async_mode. */
  flask?: { workerClass: "geventwebsocket" | "gevent" | "sync" | "gthread"; asyncMode: "gevent" | "threading" | "eventlet" };
  /** Recycle a worker after maxRequests (+ random 0..jitter) requests; 0 disables. */
  maxRequests: number;
  maxRequestsJitter: number;
  redis: boolean;
  adapter: "none" | "redis";
  /** Forward Upgrade/Connection headers (websocket) through the proxy. */
  websocketHeaders: boolean;
  /** Proxy timeouts in seconds. */
  proxyTimeouts: { connect: number; read: number; tunnel: number };
  /** Engine.IO pingInterval / pingTimeout in ms the apps are configured with. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

/** Where the load goes and what the analysis may read afterwards. */
export interface StackEndpoints {
  /** Base URL the scenarios target, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** Proxy access log (JSON lines), when there is a proxy. The ground truth. */
  proxyAccessLog?: string;
  /** Log files of app instances, keyed by instance id. */
  appLogs: Record<string, string>;
}

export interface WorkerHandle {
  instance: string; // e.g. "app1"
  pid: number;
}

/** The handles disruptions need. Every method resolves when the action has taken effect. */
export interface StackControl {
  /** Instance ids currently in the topology, e.g. ["app1","app2"]. */
  instances(): string[];
  /** Worker pids per instance (cluster workers / gunicorn workers). */
  workers(): Promise<WorkerHandle[]>;
  /** Graceful restart of one worker (instance+pid) or all workers of every instance. */
  recycle(target?: { instance?: string; pid?: number }): Promise<string>;
  /** SIGKILL of a worker (pid) or of a whole instance. */
  kill(target: { instance?: string; pid?: number }): Promise<string>;
  /** Change the instance count, re-render the proxy config and reload it gracefully. */
  scale(instances: number): Promise<string>;
  redisStop(): Promise<string>;
  redisStart(): Promise<string>;
  proxyReload(): Promise<string>;
  /** Make one upstream refuse connections (stop it without removing it from the proxy). */
  backendDown(instance?: string): Promise<string>;
  backendUp(instance?: string): Promise<string>;
  /** Add a dead address to the proxy's upstreams and reload (stale container IP). */
  staleUpstream(): Promise<string>;
}

export interface RunningStack {
  topology: Topology;
  endpoints: StackEndpoints;
  control: StackControl;
  /** Human-readable lines about each component (for `stack status`). */
  status(): Promise<string[]>;
  /** Stop everything this stack started. Safe to call twice. */
  down(): Promise<void>;
  /**
   * Keeps the proxy access log small while the proxy runs. Calls `drain(file)` once, when
   * nothing read so far can change: the reader reads `file` from where it was to its end and
   * returns that offset. Afterwards the log at `endpoints.proxyAccessLog` is a new file (read
   * from 0), or the same one with the bytes before that offset freed on disk. Absent when the
   * driver cannot do it: the log then grows for the whole run.
   */
  rotateProxyLog?(drain: (file: string) => number): Promise<void>;
}

export interface StackUpOptions {
  /** Folder for generated configs and logs. */
  workDir: string;
  /** Progress lines ("redis ready on 127.0.0.1:40001"). */
  onProgress?: (line: string) => void;
  /** Fixed proxy port; otherwise a free one. */
  proxyPort?: number;
}

export interface StackDriver {
  readonly name: "local" | "compose";
  up(topology: Topology, options: StackUpOptions): Promise<RunningStack>;
}

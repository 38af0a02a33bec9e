// What a proxy config renderer needs besides the topology. Drivers fill it: the local
// driver with 127.0.0.1 ports and files under the run's workDir, the compose driver with
// container names and paths inside the proxy container.

export interface Upstream {
  /** Stable id; HAProxy server name and cookie value ("app1"). */
  id: string;
  /** host:port the proxy connects to ("127.0.0.1:41001" or "app1:3000"). */
  address: string;
}

export interface ProxyRenderInput {
  upstreams: Upstream[];
  listen: { host: string; port: number };
  /** Where the JSON access log goes. nginx writes this file; HAProxy logs to stdout, which the driver redirects here. */
  accessLog: string;
  /** nginx error log / unused by HAProxy (its errors go to stderr). */
  errorLog: string;
  /** Folder for the pid file and nginx temp paths (nginx `-p` prefix). */
  runDir: string;
  /** nginx worker_processes (default "auto"). */
  workerProcesses?: number | "auto";
}

/** The request header that `stickiness: header` hashes on. Clients must send it. */
export const CLIENT_ID_HEADER = "X-Client-Id";

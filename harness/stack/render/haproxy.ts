// haproxy.cfg for a topology. Runs in master-worker mode in the foreground
// (`haproxy -W -db -f <cfg>`); SIGUSR2 to the master reloads it. HAProxy logs through
// syslog only, so `log stdout format raw` plus a driver redirecting stdout to the access-log
// file gives one JSON object per line, with the same keys as the nginx log.
import type { Topology } from "../types.ts";
import { CLIENT_ID_HEADER, type ProxyRenderInput } from "./input.ts";

/**
 * Same keys as NGINX_JSON_LOG_FORMAT. Differences: msec/time are when the line is written
 * (like nginx); request_time is milliseconds written as `<ms>e-3` (a JSON number in seconds);
 * upstream is "-:-" when no server was reached.
 */
export const HAPROXY_JSON_LOG_FORMAT =
  `'{"time":"%[date,utime(%Y-%m-%dT%H:%M:%S+00:00)]","msec":"%[date(0,ms),regsub(...$,.\\0)]",` +
  `"status":%ST,"upstream":"%si:%sp","upstream_status":"%ST","request_time":%Ta%[str(e-3)],` +
  `"uri":%{+Q}[var(txn.uri),json(utf8s)],"args":%{+Q}[var(txn.args),json(utf8s)]}'`;

function balancing(t: Topology): string[] {
  switch (t.stickiness) {
    case "none":
      return ["balance roundrobin"];
    case "ip-hash":
      return ["balance source", "hash-type consistent"];
    case "header":
      return [`balance hdr(${CLIENT_ID_HEADER})`, "hash-type consistent"];
    case "cookie":
      return ["balance roundrobin", "cookie SERVERID insert indirect nocache"];
  }
}

/** Longest path a unix socket can bind (sun_path is 108 bytes with its NUL). */
const UNIX_SOCKET_PATH_MAX = 107;

/**
 * Per-server counters for operators (`show stat`: connection errors to a dead upstream show
 * up there). Left out when the run folder is so deep that HAProxy could not bind the socket
 * and would refuse the whole config.
 */
function statsSocket(path: string): string[] {
  if (Buffer.byteLength(path) > UNIX_SOCKET_PATH_MAX) return [`  # no stats socket: ${path} is longer than a unix socket path may be`];
  return [`  stats socket ${path} mode 600 level admin`];
}

export function renderHaproxyConfig(t: Topology, input: ProxyRenderInput): string {
  const { connect, read, tunnel } = t.proxyTimeouts;
  const run = input.runDir.replace(/\/+$/, "");
  const cookie = (id: string) => (t.stickiness === "cookie" ? ` cookie ${id}` : "");
  const lines = [
    `# rendered by rtsoak for topology ${t.name} (${t.proxy}, stickiness ${t.stickiness}, ${input.upstreams.length} upstreams)`,
    "global",
    "  log stdout format raw local0",
    // One thread: with several, a thread that cannot take the log lock within ~200 spins (its
    // holder descheduled on a busy machine) drops its line (DroppedLogs), and the access log
    // would miss requests the reconciliation counts. One thread carries a replica's load.
    "  nbthread 1",
    `  pidfile ${run}/haproxy.pid`,
    ...statsSocket(`${run}/haproxy.sock`),
    // two fds per proxied connection under the 20,000 file limit
    "  maxconn 9000",
    // old workers keep serving tunnels after a reload; do not let them live forever
    "  hard-stop-after 30s",
    "",
    "defaults",
    "  mode http",
    "  log global",
    `  log-format ${HAPROXY_JSON_LOG_FORMAT}`,
    "  option redispatch",
    "  retries 2",
    `  timeout connect ${connect}s`,
    `  timeout client ${read}s`,
    `  timeout server ${read}s`,
    `  timeout tunnel ${tunnel}s`,
    "  timeout http-keep-alive 10s",
    "",
    "frontend fe",
    `  bind ${input.listen.host}:${input.listen.port}`,
    "  http-request set-var(txn.uri) path",
    "  http-request set-var(txn.args) query",
    ...(t.websocketHeaders ? [] : ["  # websocketHeaders: false - strip Upgrade so websocket upgrades fail", "  http-request del-header Upgrade"]),
    "  default_backend app",
    "",
    "backend app",
    ...balancing(t).map((l) => `  ${l}`),
    ...input.upstreams.map((u) => `  server ${u.id} ${u.address}${cookie(u.id)}`),
    "",
  ];
  return lines.join("\n");
}

// nginx.conf for a topology. Runs in the foreground (`nginx -c <conf> -p <runDir>`) with every
// writable path under runDir, so no root paths are touched; SIGHUP reloads it gracefully.
import type { Topology } from "../types.ts";
import type { ProxyRenderInput } from "./input.ts";

/** Access log, one JSON object per line: the run's ground truth. HAProxy's format has the same keys. */
export const NGINX_JSON_LOG_FORMAT =
  `'{"time":"$time_iso8601","msec":"$msec","status":$status,"upstream":"$upstream_addr",` +
  `"upstream_status":"$upstream_status","request_time":$request_time,"uri":"$uri","args":"$args"}'`;

function balancing(t: Topology): string[] {
  switch (t.stickiness) {
    case "none":
      return []; // round robin
    case "ip-hash":
      return ["ip_hash;"]; // first three octets of the client's IPv4 address
    case "header":
      return ["hash $http_x_client_id consistent;"];
    case "cookie":
      throw new Error("nginx (open source) has no cookie stickiness; the topology validation should have refused this");
  }
}

export function renderNginxConfig(t: Topology, input: ProxyRenderInput): string {
  const { connect, read } = t.proxyTimeouts;
  const run = input.runDir.replace(/\/+$/, "");
  const upgrade = t.websocketHeaders
    ? ["proxy_set_header Upgrade $http_upgrade;", "proxy_set_header Connection $connection_upgrade;"]
    : ["# websocketHeaders: false - Upgrade/Connection are not forwarded, websocket upgrades fail"];
  const lines = [
    `# rendered by rtsoak for topology ${t.name} (${t.proxy}, stickiness ${t.stickiness}, ${input.upstreams.length} upstreams)`,
    "daemon off;",
    "master_process on;",
    `worker_processes ${input.workerProcesses ?? "auto"};`,
    "worker_rlimit_nofile 19000;",
    // old workers keep serving websockets after a reload; do not let them live forever
    "worker_shutdown_timeout 30s;",
    `pid ${run}/nginx.pid;`,
    `error_log ${input.errorLog} info;`,
    "",
    "events {",
    "  worker_connections 9000;",
    "}",
    "",
    "http {",
    `  log_format json escape=json ${NGINX_JSON_LOG_FORMAT};`,
    `  access_log ${input.accessLog} json;`,
    `  client_body_temp_path ${run}/client_body;`,
    `  proxy_temp_path ${run}/proxy;`,
    `  fastcgi_temp_path ${run}/fastcgi;`,
    `  uwsgi_temp_path ${run}/uwsgi;`,
    `  scgi_temp_path ${run}/scgi;`,
    "",
    "  map $http_upgrade $connection_upgrade {",
    "    default upgrade;",
    "    ''      close;",
    "  }",
    "",
    "  upstream app {",
    ...balancing(t).map((l) => `    ${l}`),
    ...input.upstreams.map((u) => `    server ${u.address}; # ${u.id}`),
    "  }",
    "",
    "  server {",
    `    listen ${input.listen.host}:${input.listen.port};`,
    "    location / {",
    "      proxy_pass http://app;",
    "      proxy_http_version 1.1;",
    ...upgrade.map((l) => `      ${l}`),
    "      proxy_set_header Host $host;",
    "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "      proxy_buffering off;",
    `      proxy_connect_timeout ${connect}s;`,
    // nginx has one read timeout for polls and websockets alike (no separate tunnel timeout).
    `      proxy_read_timeout ${read}s;`,
    `      proxy_send_timeout ${read}s;`,
    "    }",
    "  }",
    "}",
    "",
  ];
  return lines.join("\n");
}

/** The folders nginx expects to exist under runDir before it starts. */
export const NGINX_TEMP_DIRS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"];

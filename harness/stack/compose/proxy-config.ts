// The proxy config of a compose stack: the shared renderers (harness/stack/render) fed with
// container names and paths inside the proxy container. Two ways for the proxy to learn the
// app containers after a scale:
//   static  every upstream written out (container names, resolved once at load by nginx and
//           HAProxy alike); a scale re-renders and reloads. Without the reload the proxy keeps
//           sending to the old set — and to the addresses of removed containers.
//   dns     HAProxy only: `server-template` slots filled from Docker's DNS (127.0.0.11) for the
//           app service, re-resolved every second; no reload is needed after a scale.
// nginx 1.22 from Debian cannot re-resolve upstream names (no `resolve` parameter), so nginx is
// always static.
import { renderProxyConfig, type Upstream } from "../render/index.ts";
import type { Topology } from "../types.ts";

/** Where things live inside the containers (fixed by compose/images/*). */
export const IN_CONTAINER = {
  appPort: 8000,
  proxyPort: 8080,
  configDir: "/etc/rtsoak-proxy",
  logDir: "/var/log/rtsoak",
  runDir: "/var/lib/rtsoak-proxy",
  accessLog: "/var/log/rtsoak/proxy-access.log",
  errorLog: "/var/log/rtsoak/proxy-error.log",
} as const;

export type ProxyDiscovery = "static" | "dns";

/** Slots a `server-template` offers: the most app containers the DNS mode can route to. */
export const DNS_SLOTS = 16;

export function proxyConfigFile(t: Topology): string {
  return t.proxy === "haproxy" ? "haproxy.cfg" : "nginx.conf";
}

/** The resolvers section and server-template that replace the static server lines. */
function dnsBackend(t: Topology, service: string): { resolvers: string[]; servers: string[] } {
  const resolvers = [
    "resolvers docker",
    "  nameserver dns1 127.0.0.11:53",
    "  resolve_retries 3",
    "  timeout resolve 1s",
    "  timeout retry 1s",
    "  hold valid 1s",
    "  hold obsolete 1s",
    "  hold nx 1s",
    "  hold other 1s",
    "  hold refused 1s",
    "  hold timeout 1s",
    "  accepted_payload_size 8192",
    "",
  ];
  const servers = [`  server-template ${service} 1-${DNS_SLOTS} ${service}:${IN_CONTAINER.appPort} resolvers docker init-addr none resolve-prefer ipv4`];
  if (t.stickiness === "cookie") servers.unshift("  dynamic-cookie-key rtsoak");
  return { resolvers, servers };
}

function toDns(text: string, t: Topology, service: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === "backend app");
  if (start < 0) throw new Error("the HAProxy renderer produced no `backend app` section; the DNS mode cannot rewrite it");
  let end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  if (end < 0) end = lines.length;
  const { resolvers, servers } = dnsBackend(t, service);
  const backend = lines
    .slice(start, end)
    .filter((l) => !/^\s+server /.test(l))
    // templated servers get their cookie values from their addresses
    .map((l) => (/^\s+cookie SERVERID insert/.test(l) ? `${l} dynamic` : l));
  const blank = backend.length && backend[backend.length - 1] === "" ? backend.pop() : undefined;
  backend.push(...servers);
  if (blank !== undefined) backend.push(blank);
  return [...lines.slice(0, start), ...resolvers, ...backend, ...lines.slice(end)].join("\n");
}

export interface ContainerProxyInput {
  upstreams: Upstream[];
  discovery: ProxyDiscovery;
  /** The app service name the DNS mode resolves. */
  appService: string;
}

/** The proxy config text for a compose stack. */
export function renderContainerProxyConfig(t: Topology, input: ContainerProxyInput): string {
  const text = renderProxyConfig(t, {
    upstreams: input.upstreams,
    listen: { host: "0.0.0.0", port: IN_CONTAINER.proxyPort },
    accessLog: IN_CONTAINER.accessLog,
    errorLog: IN_CONTAINER.errorLog,
    runDir: IN_CONTAINER.runDir,
    // the proxy container shares 2 cores with the apps and the load: one worker is plenty
    workerProcesses: 1,
  });
  if (input.discovery === "dns" && t.proxy === "haproxy") return toDns(text, t, input.appService);
  return text;
}

// One entry point for drivers: the proxy config text for a topology.
import type { Topology } from "../types.ts";
import { renderHaproxyConfig } from "./haproxy.ts";
import type { ProxyRenderInput } from "./input.ts";
import { renderNginxConfig } from "./nginx.ts";

export { renderHaproxyConfig, HAPROXY_JSON_LOG_FORMAT } from "./haproxy.ts";
export { renderNginxConfig, NGINX_JSON_LOG_FORMAT, NGINX_TEMP_DIRS } from "./nginx.ts";
export { CLIENT_ID_HEADER, type ProxyRenderInput, type Upstream } from "./input.ts";

/** The config file text for the topology's proxy; throws for proxy "none". */
export function renderProxyConfig(t: Topology, input: ProxyRenderInput): string {
  if (t.proxy === "nginx") return renderNginxConfig(t, input);
  if (t.proxy === "haproxy") return renderHaproxyConfig(t, input);
  throw new Error(`topology ${t.name} has no proxy to render`);
}

// The proxy configs rendered from a topology: balancing, stickiness, websocket headers,
// timeouts, the JSON access log, and every writable path inside the run folder.
import { describe, expect, it } from "vitest";
import { HAPROXY_JSON_LOG_FORMAT, NGINX_JSON_LOG_FORMAT, renderHaproxyConfig, renderNginxConfig, renderProxyConfig, type ProxyRenderInput } from "../../harness/stack/render/index.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";
import type { Topology } from "../../harness/stack/types.ts";

const input: ProxyRenderInput = {
  upstreams: [
    { id: "app1", address: "127.0.0.1:41001" },
    { id: "app2", address: "127.0.0.1:41002" },
  ],
  listen: { host: "127.0.0.1", port: 40000 },
  accessLog: "/run/x/logs/proxy-access.log",
  errorLog: "/run/x/logs/proxy-error.log",
  runDir: "/run/x/proxy/run/",
};
const t = (name: string, over: Partial<Topology> = {}) => resolveTopology(name, over);
const lines = (text: string) => text.split("\n").map((l) => l.trim());

describe("nginx", () => {
  it("round robin has no balancing directive; ip-hash and header add theirs", () => {
    const rr = lines(renderNginxConfig(t("nginx-rr-2x1"), input));
    expect(rr).not.toContain("ip_hash;");
    expect(rr.some((l) => l.startsWith("hash "))).toBe(false);
    expect(lines(renderNginxConfig(t("nginx-iphash-2x1"), input))).toContain("ip_hash;");
    expect(lines(renderNginxConfig(t("nginx-rr-2x1", { stickiness: "header" }), input))).toContain("hash $http_x_client_id consistent;");
  });

  it("lists every upstream inside `upstream app`", () => {
    const text = renderNginxConfig(t("nginx-rr-2x1"), input);
    const block = text.slice(text.indexOf("upstream app {"), text.indexOf("}", text.indexOf("upstream app {")));
    expect(block).toContain("server 127.0.0.1:41001; # app1");
    expect(block).toContain("server 127.0.0.1:41002; # app2");
  });

  it("forwards Upgrade/Connection only when websocketHeaders is on", () => {
    const on = lines(renderNginxConfig(t("nginx-rr-2x1"), input));
    expect(on).toContain("proxy_set_header Upgrade $http_upgrade;");
    expect(on).toContain("proxy_set_header Connection $connection_upgrade;");
    const off = renderNginxConfig(t("nginx-noupgrade-1x1"), input);
    expect(off).not.toContain("proxy_set_header Upgrade");
    expect(off).not.toContain("proxy_set_header Connection");
    expect(lines(off)).toContain("proxy_http_version 1.1;");
  });

  it("writes the JSON access log format exactly as the analysis expects", () => {
    expect(NGINX_JSON_LOG_FORMAT).toBe(
      `'{"time":"$time_iso8601","msec":"$msec","status":$status,"upstream":"$upstream_addr","upstream_status":"$upstream_status","request_time":$request_time,"uri":"$uri","args":"$args"}'`,
    );
    const l = lines(renderNginxConfig(t("nginx-rr-2x1"), input));
    expect(l).toContain(`log_format json escape=json ${NGINX_JSON_LOG_FORMAT};`);
    expect(l).toContain("access_log /run/x/logs/proxy-access.log json;");
  });

  it("runs in the foreground with pid, error log and temp paths in the run folder", () => {
    const l = lines(renderNginxConfig(t("nginx-rr-2x1"), input));
    expect(l).toContain("daemon off;");
    expect(l).toContain("master_process on;");
    expect(l).toContain("pid /run/x/proxy/run/nginx.pid;");
    expect(l).toContain("error_log /run/x/logs/proxy-error.log info;");
    for (const temp of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) expect(l).toContain(`${temp}_temp_path /run/x/proxy/run/${temp};`);
    const absolute = l.flatMap((x) => x.match(/\s(\/[^\s;]+)/g) ?? []).map((p) => p.trim());
    for (const p of absolute) expect(p.startsWith("/run/x/")).toBe(true);
  });

  it("renders the topology's timeouts and listen address", () => {
    const l = lines(renderNginxConfig(t("nginx-rr-2x1", { proxyTimeouts: { connect: 2, read: 75, tunnel: 900 } }), input));
    expect(l).toContain("listen 127.0.0.1:40000;");
    expect(l).toContain("proxy_connect_timeout 2s;");
    expect(l).toContain("proxy_read_timeout 75s;");
    expect(l).toContain("proxy_send_timeout 75s;");
  });

  it("refuses cookie stickiness even if validation was skipped", () => {
    expect(() => renderNginxConfig({ ...t("nginx-rr-2x1"), stickiness: "cookie" }, input)).toThrow(/no cookie stickiness/);
  });
});

describe("haproxy", () => {
  it("balances round robin, by source, by header, or with a SERVERID cookie", () => {
    expect(lines(renderHaproxyConfig(t("haproxy-rr-2x1"), input))).toContain("balance roundrobin");
    expect(lines(renderHaproxyConfig(t("haproxy-rr-2x1", { stickiness: "ip-hash" }), input))).toContain("balance source");
    expect(lines(renderHaproxyConfig(t("haproxy-rr-2x1", { stickiness: "header" }), input))).toContain("balance hdr(X-Client-Id)");
    const cookie = lines(renderHaproxyConfig(t("haproxy-cookie-3x1"), input));
    expect(cookie).toContain("cookie SERVERID insert indirect nocache");
    expect(cookie).toContain("server app1 127.0.0.1:41001 cookie app1");
    expect(cookie).toContain("server app2 127.0.0.1:41002 cookie app2");
    expect(lines(renderHaproxyConfig(t("haproxy-rr-2x1"), input))).toContain("server app1 127.0.0.1:41001");
  });

  it("redispatches, and has connect/client/server/tunnel timeouts from the topology", () => {
    const l = lines(renderHaproxyConfig(t("haproxy-rr-2x1", { proxyTimeouts: { connect: 3, read: 70, tunnel: 1800 } }), input));
    for (const want of ["option redispatch", "timeout connect 3s", "timeout client 70s", "timeout server 70s", "timeout tunnel 1800s", "bind 127.0.0.1:40000"]) {
      expect(l).toContain(want);
    }
  });

  it("logs one JSON object per line to stdout, with the nginx keys", () => {
    const text = renderHaproxyConfig(t("haproxy-rr-2x1"), input);
    expect(lines(text)).toContain("log stdout format raw local0");
    expect(lines(text)).toContain(`log-format ${HAPROXY_JSON_LOG_FORMAT}`);
    const keys = [...HAPROXY_JSON_LOG_FORMAT.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
    const nginxKeys = [...NGINX_JSON_LOG_FORMAT.matchAll(/"([a-z_]+)":/g)].map((m) => m[1]);
    expect(keys).toEqual(nginxKeys);
    expect(lines(text)).toContain("pidfile /run/x/proxy/run/haproxy.pid");
    // one thread: with several, HAProxy drops the log line of a thread that waits on another
    expect(lines(text)).toContain("nbthread 1");
    expect(lines(text)).toContain("stats socket /run/x/proxy/run/haproxy.sock mode 600 level admin");
  });

  it("leaves the stats socket out when the run folder is too deep for a unix socket path", () => {
    const deep = `/tmp/${"d".repeat(90)}/proxy/run`;
    const l = lines(renderHaproxyConfig(t("haproxy-rr-2x1"), { ...input, runDir: deep }));
    expect(l.some((x) => x.startsWith("stats socket"))).toBe(false);
    expect(l).toContain(`# no stats socket: ${deep}/haproxy.sock is longer than a unix socket path may be`);
    expect(l).toContain(`pidfile ${deep}/haproxy.pid`);
  });

  it("strips Upgrade when websocketHeaders is off", () => {
    expect(lines(renderHaproxyConfig(t("haproxy-rr-2x1", { websocketHeaders: false }), input))).toContain("http-request del-header Upgrade");
    expect(renderHaproxyConfig(t("haproxy-rr-2x1"), input)).not.toContain("del-header Upgrade");
  });
});

describe("renderProxyConfig", () => {
  it("picks the renderer from the topology and refuses proxy none", () => {
    expect(renderProxyConfig(t("nginx-rr-2x1"), input)).toContain("daemon off;");
    expect(renderProxyConfig(t("haproxy-rr-2x1"), input)).toContain("backend app");
    expect(() => renderProxyConfig(t("node-1x1"), input)).toThrow(/no proxy/);
  });

  it("renders container addresses for compose the same way", () => {
    const c = renderNginxConfig(t("nginx-iphash-2x1"), { ...input, upstreams: [{ id: "app1", address: "app1:3000" }], listen: { host: "0.0.0.0", port: 80 } });
    expect(lines(c)).toContain("server app1:3000; # app1");
    expect(lines(c)).toContain("listen 0.0.0.0:80;");
  });
});

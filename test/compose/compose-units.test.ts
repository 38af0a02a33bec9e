// The compose driver's pure parts (no Docker needed) and the image build cache (Docker).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ownerPid } from "../../harness/stack/compose/cleanup.ts";
import { composeRun, detectCompose, parseComposeVersion } from "../../harness/stack/compose/compose-cli.ts";
import { mainAndWorkers } from "../../harness/stack/compose/containers.ts";
import { buildImages, COMPOSE_DIR, REPO_ROOT } from "../../harness/stack/compose/images.ts";
import { dependencyClosure } from "../../harness/stack/compose/node-deps.ts";
import { renderContainerProxyConfig } from "../../harness/stack/compose/proxy-config.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";
import { describeDocker } from "./support.ts";

describe("compose driver, pure parts", () => {
  it("reads compose versions of v1 and v2", () => {
    expect(parseComposeVersion("docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3")).toBe("1.29.2");
    expect(parseComposeVersion("Docker Compose version v2.24.6")).toBe("2.24.6");
    expect(parseComposeVersion("no version here")).toBeUndefined();
  });

  it("finds the owner pid in project names it made, and only there", () => {
    expect(ownerPid("rtsoak-123-abcdef")).toBe(123);
    expect(ownerPid("rtsoak-user-77-0a0b0c")).toBe(77);
    expect(ownerPid("rtsoak-demo")).toBeUndefined();
    expect(ownerPid("other-123-abcdef")).toBeUndefined();
  });

  it("tells the server's main process and workers apart, behind an init or a shell", () => {
    const p = (pid: number, ppid: number, comm: string) => ({ pid, ppid, comm });
    expect(mainAndWorkers([p(1, 0, "docker-init"), p(7, 1, "node"), p(18, 7, "node"), p(19, 7, "node"), p(40, 0, "sh")])).toEqual({ main: p(7, 1, "node"), workers: [p(18, 7, "node"), p(19, 7, "node")] });
    expect(mainAndWorkers([p(1, 0, "gunicorn"), p(8, 1, "gunicorn")])).toEqual({ main: p(1, 0, "gunicorn"), workers: [p(8, 1, "gunicorn")] });
    expect(mainAndWorkers([p(1, 0, "tini"), p(6, 1, "sh"), p(7, 6, "nginx"), p(9, 7, "nginx")]).workers).toEqual([p(9, 7, "nginx")]);
  });

  it("renders HAProxy for DNS discovery: a resolvers section on Docker's DNS and server-template slots", () => {
    const t = resolveTopology("haproxy-cookie-3x1");
    const cfg = renderContainerProxyConfig(t, { upstreams: [{ id: "app1", address: "p_app_1:8000" }], discovery: "dns", appService: "app" });
    expect(cfg).toContain("resolvers docker\n  nameserver dns1 127.0.0.11:53");
    expect(cfg).toMatch(/\n  server-template app 1-16 app:8000 resolvers docker init-addr none/);
    expect(cfg).toContain("cookie SERVERID insert indirect nocache dynamic");
    expect(cfg).toContain("dynamic-cookie-key rtsoak");
    expect(cfg).not.toMatch(/\n  server app1 /);
    expect(cfg).toContain("bind 0.0.0.0:8080");
    const haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"].find(existsSync);
    if (haproxy) {
      const file = join(mkdtempSync(join(tmpdir(), "rtsoak-dns-cfg-")), "haproxy.cfg");
      writeFileSync(file, cfg.replace("log stdout format raw local0", "log stderr format raw local0"));
      const check = spawnSync(haproxy, ["-c", "-q", "-f", file], { encoding: "utf8" });
      expect(check.stderr + check.stdout).toBe("");
      expect(check.status).toBe(0);
    }
  });

  it("renders static configs with container names inside the proxy container", () => {
    const cfg = renderContainerProxyConfig(resolveTopology("nginx-rr-2x1"), { upstreams: [{ id: "app1", address: "p_app_1:8000" }, { id: "app2", address: "p_app_2:8000" }], discovery: "dns", appService: "app" });
    // nginx has no DNS mode: always the static list
    expect(cfg).toContain("server p_app_1:8000; # app1");
    expect(cfg).toContain("access_log /var/log/rtsoak/proxy-access.log json;");
    expect(cfg).toContain("listen 0.0.0.0:8080;");
  });

  it("copies only the Node app's runtime dependencies into its image", () => {
    const names = dependencyClosure(join(COMPOSE_DIR, "apps/node"), REPO_ROOT).map((d) => d.slice(d.lastIndexOf("node_modules/") + 13));
    expect(names).toEqual(expect.arrayContaining(["socket.io", "ioredis", "@socket.io/redis-adapter", "ws", "engine.io"]));
    expect(names.filter((n) => n.startsWith("@types/") || n === "vitest" || n === "typescript")).toEqual([]);
  });
});

describeDocker("compose files and images", () => {
  it("every combination of rtsoak's compose files renders with the compose that is installed", async () => {
    const tool = await detectCompose();
    expect(["plugin", "standalone"]).toContain(tool.kind);
    const env = { RTSOAK_PROXY_CONFIG_DIR: "/tmp", RTSOAK_LOG_DIR: "/tmp" };
    for (const files of [["docker-compose.yml", "docker-compose.proxy.yml", "docker-compose.redis.yml"], ["docker-compose.yml", "docker-compose.direct.yml"]]) {
      const out = await composeRun({ name: "rtsoak-config-check", dir: COMPOSE_DIR, files, env }, ["config"]);
      expect(out).toMatch(/init: true/);
      // published on loopback only (v1 prints 127.0.0.1::8080, v2 host_ip: 127.0.0.1)
      expect(out).toMatch(/127\.0\.0\.1(::|\n|$)/m);
      expect(out).not.toMatch(/0\.0\.0\.0:/);
    }
  });

  it("testcontainers checks published ports on loopback, where rtsoak publishes them, whether or not /.dockerenv exists", async () => {
    await import("../../harness/stack/compose/bring-up.ts");
    const { getContainerRuntimeClient } = await import("testcontainers");
    expect((await getContainerRuntimeClient()).info.containerRuntime.host).toBe("127.0.0.1");
  });

  it("a second images build with nothing changed confirms every image from its source label", async () => {
    await buildImages({ only: ["redis", "nginx", "app-node"] });
    const again = await buildImages({ only: ["redis", "nginx", "app-node"] });
    expect(again.images.map((i) => i.outcome)).toEqual(["unchanged", "unchanged", "unchanged"]);
  }, 600_000);
});

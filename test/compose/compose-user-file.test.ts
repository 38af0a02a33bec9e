// The user's own compose file (service names of their choosing, their own nginx config that
// names the app service) driven end to end with rtsoak's disruptions.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { UserError } from "../../harness/errors.ts";
import { composeDriverForUserFile } from "../../harness/stack/compose/driver.ts";
import { freePort } from "../../harness/net/ports.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";
import { sioSession } from "../integration/stack-helpers.ts";
import { cleanupAfterEach, describeDocker, ensureTestImages, eventually, keepaliveLoad, sleep } from "./support.ts";

const EDGE_CONF = `
events { worker_connections 1024; }
http {
  access_log /dev/stdout;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream backends { server backend:3000; }
  server {
    listen 80;
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 60s;
    }
  }
}
`;

function composeFile(port: number): string {
  return `# a user's stack: other service names, their own proxy config, no health checks
version: "2.4"
services:
  cache:
    image: rtsoak/redis:latest
    init: true
  backend:
    image: rtsoak/app-node:latest
    init: true
    environment:
      PORT: "3000"
      WORKERS: "2"
      REDIS_URL: redis://cache:6379
      ADAPTER: redis
    depends_on: [cache]
  edge:
    image: rtsoak/nginx:latest
    init: true
    command: ["nginx", "-c", "/etc/edge/nginx.conf", "-g", "daemon off;"]
    volumes: ["./edge.conf:/etc/edge/nginx.conf:ro"]
    ports: ["127.0.0.1:${port}:80"]
    depends_on: [backend]
`;
}

const cleanup = cleanupAfterEach();

const instanceOf = (body: string) => (JSON.parse(body) as { instance: string }).instance;

describeDocker("compose stack: the user's own compose file", () => {
  beforeAll(async () => {
    await ensureTestImages(["app-node", "nginx", "redis"]);
  }, 600_000);

  it("is brought up, disrupted (recycle, scale + reload, redis stop/start, stale upstream) and torn down", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtsoak-userfile-"));
    const port = await freePort();
    writeFileSync(join(dir, "edge.conf"), EDGE_CONF);
    writeFileSync(join(dir, "stack.yml"), composeFile(port));
    const progress: string[] = [];
    const driver = composeDriverForUserFile({ file: join(dir, "stack.yml"), proxyService: "edge", appService: "backend", redisService: "cache", proxyPort: port, readyTimeoutMs: 60_000 });
    const stack = cleanup.stack(await driver.up(resolveTopology("nginx-rr-2x1"), { workDir: join(dir, "run"), onProgress: (l) => progress.push(l) }));
    expect(stack.project).toMatch(/^rtsoak-user-\d+-[0-9a-f]{6}$/);
    expect(stack.endpoints.baseUrl).toBe(`http://127.0.0.1:${port}`);
    expect(stack.topology).toMatchObject({ instances: 1, proxy: "nginx", redis: true });
    const c = stack.control;
    expect(c.instances()).toEqual(["app1"]);

    const ws = await Promise.all(Array.from({ length: 4 }, () => sioSession(stack.endpoints.baseUrl, { transports: ["websocket"], emits: 2 })));
    for (const r of ws) expect(r).toMatchObject({ connected: true, acks: 2 });

    // signals into their app container
    const before = await c.workers();
    expect(before).toHaveLength(2);
    expect(await c.recycle({ instance: "app1" })).toMatch(/app1: workers .* \(SIGHUP\)/);

    // scale: --scale backend=2, then their nginx reloaded (it re-resolves `backend`)
    expect(await c.scale(2)).toMatch(/scaled 1 → 2 instances.*nginx reloaded/);
    expect(c.instances()).toEqual(["app1", "app2"]);
    const load = cleanup.load(keepaliveLoad(stack.endpoints.baseUrl, 2));
    const scaledFrom = Date.now();
    await sleep(2_000);
    const answered = new Set(load.samples.filter((s) => s.at >= scaledFrom && s.status === 200).map((s) => instanceOf(s.body)));
    expect(answered.size).toBe(2);

    // their Redis service
    expect(await c.redisStop()).toMatch(/redis stopped/);
    const degraded = await fetch(`${stack.endpoints.baseUrl}/api/v1/keepalive/`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ serverHealth: { status: "degraded" } });
    expect(await c.redisStart()).toMatch(/redis started again/);

    // stale upstream in a stack whose config is not ours: replace the app containers, no reload
    expect(await c.staleUpstream()).toMatch(/replaced 2 app containers.*not reloaded/);
    const staleFrom = Date.now();
    await sleep(2_000);
    expect(load.window(staleFrom)[502] ?? 0).toBeGreaterThan(0);
    expect(await c.proxyReload()).toMatch(/nginx reloaded/);
    await sleep(1_000);
    const healedFrom = Date.now();
    expect(await eventually(() => Date.now() - healedFrom > 2_000 && Object.keys(load.window(healedFrom)).join() === "200", 10_000)).toBe(true);

    // every container's output was collected into the run folder
    await stack.down();
    for (const f of Object.values(stack.endpoints.appLogs)) expect(existsSync(f)).toBe(true);
    // named by role: proxy.log holds the edge service's output (its access log goes to stdout)
    expect(readFileSync(join(dir, "run", "logs", "proxy.log"), "utf8")).toMatch(/GET \/api\/v1\/keepalive\/ HTTP\/1\.[01]" 502/);
  });

  it("names a missing service in one sentence", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtsoak-userfile-"));
    writeFileSync(join(dir, "edge.conf"), EDGE_CONF);
    writeFileSync(join(dir, "stack.yml"), composeFile(await freePort()));
    const driver = composeDriverForUserFile({ file: join(dir, "stack.yml"), proxyService: "nginx", appService: "backend", proxyPort: 1 });
    const err = await driver.up(resolveTopology("nginx-rr-2x1"), { workDir: join(dir, "run") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/has no service "nginx" \(the proxy service\); it has .*edge.*: pass one of those\./);
  });
});

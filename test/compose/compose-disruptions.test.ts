// Disruptions on containers under a small keepalive load: a deploy-like scale that leaves nginx
// with removed containers' addresses (502s until the reload, none after), the same scale seen
// by HAProxy through Docker's DNS (heals without a reload), Redis stopped (keepalive degraded,
// still 200), and the per-worker / per-container actions.
import { beforeAll, expect, it } from "vitest";
import { cleanupAfterEach, describeDocker, ensureTestImages, eventually, keepaliveLoad, sleep, upCompose } from "./support.ts";

const cleanup = cleanupAfterEach();

const only200 = (counts: Record<number, number>) => Object.keys(counts).every((k) => k === "200");

describeDocker("compose stack: disruptions", () => {
  beforeAll(async () => {
    await ensureTestImages(["app-node", "nginx", "haproxy", "redis"]);
  }, 600_000);

  it("nginx: scale 2 → 4 replacing the containers without a reload gives 502s, which end after the reload", async () => {
    const stack = cleanup.stack(await upCompose("nginx-rr-2x1"));
    const load = cleanup.load(keepaliveLoad(stack.endpoints.baseUrl));
    await sleep(1_000);
    expect(only200(load.window(0))).toBe(true);

    const scaled = await stack.control.scale(4, { recreate: true, reload: false });
    expect(scaled).toMatch(/not reloaded/);
    expect(stack.control.instances()).toHaveLength(4);
    const staleFrom = Date.now();
    await sleep(3_000);
    const stale = load.window(staleFrom);
    // nginx resolved the old containers' names at load and still holds their addresses
    expect(stale[502] ?? 0).toBeGreaterThan(0);

    expect(await stack.control.proxyReload()).toMatch(/reloaded.*4 upstreams/);
    await sleep(1_000); // old nginx workers finish what they hold
    const fresh = Date.now();
    await sleep(3_000);
    const after = load.window(fresh);
    expect(after[200] ?? 0).toBeGreaterThan(0);
    expect(after).toEqual({ 200: after[200] });
  });

  it("HAProxy with DNS discovery: the same replacement heals by itself, no reload", async () => {
    const stack = cleanup.stack(await upCompose("haproxy-rr-2x1", {}, { discovery: "dns" }));
    const load = cleanup.load(keepaliveLoad(stack.endpoints.baseUrl));
    await sleep(1_000);
    await stack.control.scale(4, { recreate: true, reload: false });
    const replacedAt = Date.now();
    // server-template slots follow Docker's DNS (127.0.0.11) within seconds: a 2 s window
    // (after the old containers went) with nothing but 200s
    const healed = await eventually(() => {
      const from = Date.now() - 2_000;
      if (from < replacedAt) return false;
      const w = load.window(from);
      return (w[200] ?? 0) > 10 && only200(w);
    }, 30_000, 500);
    expect(healed).toBe(true);
    // and it keeps routing to all four new containers
    const connectsFrom = Date.now();
    await sleep(2_000);
    expect(only200(load.window(connectsFrom))).toBe(true);
    const instances = new Set(load.samples.filter((s) => s.at >= connectsFrom && s.status === 200).map((s) => JSON.parse(s.body).instance as string));
    expect(instances.size).toBe(4);
  });

  it("redis stop: keepalive stays 200 and says degraded; redis start brings healthy back", async () => {
    const stack = cleanup.stack(await upCompose("nginx-rr-2x1"));
    const keepalive = async () => {
      const res = await fetch(`${stack.endpoints.baseUrl}/api/v1/keepalive/`);
      return { status: res.status, body: (await res.json()) as { serverHealth: { status: string; checks: { redis: string } } } };
    };
    expect((await keepalive()).body.serverHealth.status).toBe("healthy");
    expect(await stack.control.redisStop()).toMatch(/redis stopped/);
    const down = await keepalive();
    expect(down.status).toBe(200);
    expect(down.body.serverHealth).toMatchObject({ status: "degraded", checks: { redis: "offline" } });
    expect(await stack.control.redisStart()).toMatch(/redis started again/);
    expect(await eventually(async () => (await keepalive()).body.serverHealth.status === "healthy", 20_000)).toBe(true);
  });

  it("workers and containers: recycle, kill, backend down/up and a stale upstream", async () => {
    const stack = cleanup.stack(await upCompose("nginx-rr-2x2"));
    const c = stack.control;
    const workers = await c.workers();
    expect(workers.map((w) => w.instance).sort()).toEqual(["app1", "app1", "app2", "app2"]);

    // one worker, by instance and in-container pid: replaced
    const w = workers.find((x) => x.instance === "app2")!;
    expect(await c.recycle({ instance: "app2", pid: w.pid })).toMatch(new RegExp(`recycled worker ${w.pid} of app2`));
    expect(await c.kill({ instance: "app1", pid: workers.find((x) => x.instance === "app1")!.pid })).toMatch(/killed worker .* replaced by/);
    // every worker of every instance: SIGHUP through the container's init
    expect(await c.recycle()).toMatch(/app1: workers .* → .*app2: workers/);
    // the replaced workers drain and exit shortly after their replacements serve
    let after: string[] = [];
    expect(await eventually(async () => (after = (await c.workers()).map((x) => `${x.instance}:${x.pid}`)).length === 4, 20_000)).toBe(true);
    for (const old of workers) expect(after).not.toContain(`${old.instance}:${old.pid}`);

    // a stopped backend stays in nginx's list: requests keep being answered by the other one
    const load = cleanup.load(keepaliveLoad(stack.endpoints.baseUrl, 2));
    expect(await c.backendDown("app2")).toMatch(/app2 down/);
    const downFrom = Date.now();
    await sleep(4_000);
    expect(load.window(downFrom)[200] ?? 0).toBeGreaterThan(0);
    expect(await c.backendUp("app2")).toMatch(/app2 up again/);
    expect((await stack.status()).join("\n")).toMatch(/app2 .* running/);

    // a dead address in the config: nginx retries the next server, so clients still get 200s
    expect(await c.staleUpstream()).toMatch(/added stale1 \d+\.\d+\.\d+\.\d+:8000 to nginx.*reloaded/);
    const staleFrom = Date.now();
    await sleep(3_000);
    expect(load.window(staleFrom)[200] ?? 0).toBeGreaterThan(0);

    // a whole container killed: its workers are gone
    expect(await c.kill({ instance: "app1" })).toMatch(/killed app1/);
    expect((await c.workers()).every((x) => x.instance === "app2")).toBe(true);
  });
});

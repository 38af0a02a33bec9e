import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../harness/errors.ts";
import { listPresets, resolveTopology } from "../../harness/stack/topology.ts";

const dir = mkdtempSync(join(tmpdir(), "rtsoak-topology-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error("expected a UserError");
}

describe("presets", () => {
  const required = [
    "nginx-rr-2x1",
    "nginx-iphash-2x1",
    "nginx-rr-2x2",
    "nginx-noupgrade-1x1",
    "haproxy-rr-2x1",
    "haproxy-cookie-3x1",
    "gunicorn-2w",
    "gunicorn-1w",
    "node-1x1",
    "flask-nginx-iphash-2x1",
  ];

  it("lists every required preset with a description", () => {
    const names = listPresets().map((p) => p.name);
    for (const name of required) expect(names).toContain(name);
    for (const p of listPresets()) expect(p.description.length).toBeGreaterThan(10);
  });

  it("resolves every preset to a complete, valid topology named after it", () => {
    for (const { name } of listPresets()) {
      const t = resolveTopology(name);
      expect(t.name).toBe(name);
      expect(t.instances).toBeGreaterThanOrEqual(1);
      expect(t.proxyTimeouts).toEqual({ connect: 5, read: 60, tunnel: 3600 });
      expect(t.proxyTimeouts.read * 1000).toBeGreaterThan(t.pingIntervalMs + t.pingTimeoutMs);
    }
  });

  it("encodes the shapes its name promises", () => {
    expect(resolveTopology("nginx-rr-2x2")).toMatchObject({ proxy: "nginx", stickiness: "none", instances: 2, workersPerInstance: 2, app: "node" });
    expect(resolveTopology("nginx-iphash-2x1")).toMatchObject({ proxy: "nginx", stickiness: "ip-hash", instances: 2, workersPerInstance: 1 });
    expect(resolveTopology("nginx-noupgrade-1x1")).toMatchObject({ proxy: "nginx", websocketHeaders: false, instances: 1 });
    expect(resolveTopology("haproxy-cookie-3x1")).toMatchObject({ proxy: "haproxy", stickiness: "cookie", instances: 3 });
    expect(resolveTopology("gunicorn-2w")).toMatchObject({ app: "flask", instances: 1, workersPerInstance: 2, flask: { workerClass: "geventwebsocket", asyncMode: "gevent" } });
    expect(resolveTopology("node-1x1")).toMatchObject({ proxy: "none", instances: 1, app: "node" });
    expect(resolveTopology("node-1x1").flask).toBeUndefined();
    expect(resolveTopology("flask-nginx-iphash-2x1")).toMatchObject({ app: "flask", proxy: "nginx", stickiness: "ip-hash", instances: 2 });
  });

  it("returns a fresh object each time (no shared nested state)", () => {
    const a = resolveTopology("nginx-rr-2x1");
    a.proxyTimeouts.read = 1;
    expect(resolveTopology("nginx-rr-2x1").proxyTimeouts.read).toBe(60);
  });
});

describe("overrides", () => {
  it("apply on top of a preset, nested keys merged", () => {
    const t = resolveTopology("nginx-rr-2x1", { instances: 4, maxRequests: 100, maxRequestsJitter: 20, proxyTimeouts: { read: 30 } as never });
    expect(t).toMatchObject({ instances: 4, maxRequests: 100, maxRequestsJitter: 20, proxyTimeouts: { connect: 5, read: 30, tunnel: 3600 } });
  });

  it("switching app to flask fills the flask defaults; back to node drops them", () => {
    expect(resolveTopology("nginx-rr-2x1", { app: "flask" }).flask).toEqual({ workerClass: "geventwebsocket", asyncMode: "gevent" });
    expect(resolveTopology("gunicorn-2w", { app: "node" }).flask).toBeUndefined();
  });

  it("are validated like files", () => {
    expect(errorOf(() => resolveTopology("nginx-rr-2x1", { instances: 0 })).message).toBe(
      'topology overrides: "instances" must be a whole number from 1 to 64, got 0.',
    );
  });
});

describe("topology files", () => {
  it("YAML extending a preset", () => {
    const f = file("a.yaml", "extends: nginx-iphash-2x1\nname: my-shape\ninstances: 3\nproxyTimeouts:\n  read: 90\n");
    expect(resolveTopology(f)).toMatchObject({ name: "my-shape", proxy: "nginx", stickiness: "ip-hash", instances: 3, proxyTimeouts: { connect: 5, read: 90, tunnel: 3600 } });
  });

  it("JSON without extends starts from the defaults and is named custom", () => {
    const f = file("b.json", JSON.stringify({ proxy: "haproxy", stickiness: "cookie", instances: 2 }));
    expect(resolveTopology(f)).toMatchObject({ name: "custom", proxy: "haproxy", stickiness: "cookie", instances: 2, app: "node", redis: true });
  });

  it("a flask file gets the flask defaults, partially overridable", () => {
    const f = file("c.yaml", "extends: gunicorn-2w\nflask:\n  asyncMode: threading\n");
    expect(resolveTopology(f).flask).toEqual({ workerClass: "geventwebsocket", asyncMode: "threading" });
  });

  const cases: Array<[string, string, string]> = [
    ["unknown key, with did-you-mean", "instnaces: 2\n", 'unknown key "instnaces"; did you mean "instances"?'],
    ["unknown nested key", "proxyTimeouts:\n  reed: 3\n", 'unknown key "proxyTimeouts.reed"; did you mean "proxyTimeouts.read"?'],
    ["unknown key, nothing close", "proxyTimeouts:\n  keepaliveIdle: 3\n", 'unknown key "proxyTimeouts.keepaliveIdle"; use one of connect, read, tunnel.'],
    ["wrong type", "instances: two\n", '"instances" must be a whole number from 1 to 64, got "two".'],
    ["bad enum", "proxy: traefik\n", '"proxy" must be one of "nginx", "haproxy", "none", got "traefik".'],
    ["bad nested value", "proxyTimeouts:\n  read: -1\n", '"proxyTimeouts.read" must be a number of seconds above 0, got -1.'],
    ["nested not a mapping", "proxyTimeouts: 30\n", '"proxyTimeouts" must be a mapping with keys connect, read, tunnel, got 30.'],
    ["boolean", "redis: yes please\n", '"redis" must be true or false, got "yes please".'],
    ["unknown preset in extends", "extends: nginx-rr-9x9\n", '"extends" must name a preset ('],
    ["cookie on nginx", "extends: nginx-rr-2x1\nstickiness: cookie\n", 'needs proxy "haproxy"'],
    ["no proxy, many instances", "proxy: none\ninstances: 2\n", 'set instances to 1 or proxy to "nginx" or "haproxy".'],
    ["no proxy, stickiness", "proxy: none\nstickiness: ip-hash\n", "needs a proxy"],
    ["redis adapter without redis", "redis: false\n", '"adapter" "redis" needs "redis": true'],
    ["flask settings on node", "flask:\n  asyncMode: gevent\n", 'only apply to app "flask"'],
    ["not a mapping", "- a\n- b\n", "expected a mapping of topology keys"],
  ];
  it.each(cases)("rejects %s, naming the key and the expected shape", (_label, yaml, fragment) => {
    const f = file(`bad-${Math.random().toString(36).slice(2)}.yaml`, yaml);
    const err = errorOf(() => resolveTopology(f));
    expect(err.message).toContain(fragment);
    expect(err.message.startsWith(`topology file ${f}`)).toBe(true);
    expect(err.message.split("\n")).toHaveLength(1);
  });

  it("names a file that does not exist and syntax errors", () => {
    expect(errorOf(() => resolveTopology(join(dir, "missing.yaml"))).message).toContain("does not exist");
    expect(errorOf(() => resolveTopology(file("broken.json", "{ nope"))).message).toMatch(/is not valid JSON .*; fix its syntax\.$/);
    expect(errorOf(() => resolveTopology(file("broken.yaml", "a: [1,\n"))).message).toMatch(/is not valid YAML/);
  });

  it("an unknown name lists the presets", () => {
    const err = errorOf(() => resolveTopology("nginx-rr-3x1"));
    expect(err.message).toMatch(/^unknown topology "nginx-rr-3x1"; use a preset \(nginx-rr-2x1, .*\) or the path of a \.json or \.yaml topology file\.$/);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile, validateConfig } from "../../harness/config/load.ts";
import { checkTarget, resolveSettings } from "../../harness/config/resolve.ts";
import { parseDuration, formatDuration } from "../../harness/config/duration.ts";
import { UserError } from "../../harness/errors.ts";
import { formatProgress } from "../../harness/run/progress.ts";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["2m", 120_000],
    ["1m30s", 90_000],
    ["1h", 3_600_000],
    ["45", 45_000],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "abc", "10x", "1m 30s", "s30"])("rejects %j", (text) => {
    expect(() => parseDuration(text, "--duration")).toThrow(/--duration .* is not a duration; write it like 30s/);
  });

  it("formats back", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(3_600_000)).toBe("1h");
    expect(formatDuration(0)).toBe("0ms");
  });
});

describe("settings: profile ← file ← flags", () => {
  it("takes the profile's defaults", () => {
    const s = resolveSettings({}, null, "rtsoak gate", "gate");
    expect(s).toMatchObject({ profile: "gate", durationMs: 90_000, scenario: "mixed", topology: "nginx-iphash-2x1", events: ["40s:recycle"] });
    expect(s.thresholds.sessionUnknownRateOutsideEvents).toBe("<0.1%");
  });

  it("lets the file override the profile and the flags override the file", () => {
    const file = validateConfig(
      { profile: "smoke", duration: "40s", clients: 9, events: ["10s:recycle"], thresholds: { ackP99Ms: "<900" }, env: { EMIT_INTERVAL: "2s" } },
      "rtsoak.config.json",
    );
    const s = resolveSettings({ clients: "12", threshold: ["sessionUnknownRate=<5%"], env: ["PAYLOAD_BYTES=64"] }, file, "x");
    expect(s).toMatchObject({ profile: "smoke", durationMs: 40_000, clients: 12, events: ["10s:recycle"] });
    expect(s.thresholds).toMatchObject({ ackP99Ms: "<900", sessionUnknownRate: "<5%" });
    expect(s.env).toEqual({ EMIT_INTERVAL: "2s", PAYLOAD_BYTES: "64" });
    expect(resolveSettings({ events: false }, file, "x").events).toEqual([]);
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ clients: "ten" }, /--clients "ten" is not a positive whole number/],
    [{ profile: "nightly" }, /profile "nightly" does not exist; use one of: smoke, gate, soak/],
    [{ duration: "2s" }, /too short to measure anything/],
    [{ clients: "5000", clientsPerVu: "2" }, /10000 sessions is more than one k6 process can hold here/],
    [{ env: ["NOEQUALS"] }, /--env "NOEQUALS" is not NAME=VALUE/],
    [{ stack: "k8s" }, /--stack "k8s" is not a stack driver; use local or compose/],
    [{ target: "http://127.0.0.1:3000" }, /disruption events need the built-in replica/],
    [{ composeFile: "dc.yml" }, /--compose-file needs --proxy-service and --app-service/],
  ])("rejects %j with one sentence", (flags, message) => {
    // `rtsoak run` (no forced profile) for --profile; `rtsoak gate` otherwise.
    const forced = "profile" in flags ? undefined : "gate";
    expect(() => resolveSettings(flags as never, null, "x", forced)).toThrow(UserError);
    expect(() => resolveSettings(flags as never, null, "x", forced)).toThrow(message);
  });

  it("checks targets: URL shape, scheme, loopback unless allowed", () => {
    expect(checkTarget("http://127.0.0.1:3000/", false)).toBe("http://127.0.0.1:3000");
    expect(checkTarget("http://localhost:8080", false)).toBe("http://localhost:8080");
    expect(() => checkTarget("ws://127.0.0.1:3000", false)).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => checkTarget("127.0.0.1:3000", false)).toThrow(/is not a URL/);
    expect(() => checkTarget("not a url", false)).toThrow(/is not a URL/);
    expect(() => checkTarget("https://api.example.com", false)).toThrow(/not a loopback address; .* --allow-remote/);
    expect(checkTarget("https://api.example.com", true)).toBe("https://api.example.com");
  });
});

describe("config files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rtsoak-config-"));

  it("reads YAML and JSON and rejects unknown keys by name", async () => {
    writeFileSync(join(dir, "ok.yaml"), "profile: smoke\nclients: 3\nevents:\n  - 5s:recycle\n");
    expect(await loadConfigFile(join(dir, "ok.yaml"))).toEqual({ profile: "smoke", clients: 3, events: ["5s:recycle"] });
    writeFileSync(join(dir, "typo.json"), JSON.stringify({ durration: "30s" }));
    await expect(loadConfigFile(join(dir, "typo.json"))).rejects.toThrow(/unknown key "durration"; the keys are: profile, duration/);
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ clients: -1 }));
    await expect(loadConfigFile(join(dir, "bad.json"))).rejects.toThrow(/"clients" is -1, but it must be a positive whole number/);
    writeFileSync(join(dir, "broken.yaml"), "profile: [smoke\n");
    await expect(loadConfigFile(join(dir, "broken.yaml"))).rejects.toThrow(/could not be read .*; fix its syntax/);
    await expect(loadConfigFile(join(dir, "missing.json"))).rejects.toThrow(/does not exist; check the path given to --config/);
  });

  it("reads a TypeScript config's default export", async () => {
    writeFileSync(join(dir, "rtsoak.config.ts"), 'export default { scenario: "polling", duration: "30s" } as const;\n');
    expect(await loadConfigFile(join(dir, "rtsoak.config.ts"))).toEqual({ scenario: "polling", duration: "30s" });
  });
});

describe("progress line", () => {
  it("shows elapsed/total, clients, rps, 400 and 502 rates and the next event", () => {
    const line = formatProgress({
      elapsedMs: 65_000,
      totalMs: 90_000,
      clients: 20,
      rps: 142.4,
      rate400: 0.125,
      rate502: 0.0004,
      next: { source: "80s:backend-up app2", inMs: 15_000 },
    });
    expect(line).toBe("1m5s/1m30s │ 20 clients │ 142 req/s │ 400 12.5% │ 502 0.040% │ next: 80s:backend-up app2 in 15s");
  });
});

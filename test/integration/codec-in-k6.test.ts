// Proves the codecs work INSIDE k6 (sobek), not just in Node: cases are computed here with the
// official engine.io-parser / socket.io-parser, a tiny k6 script bundled with esbuild checks
// that our codecs reproduce them, and the real k6 binary runs it with `checks: rate==1`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import * as eio from "engine.io-parser";
import { Decoder as OfficialDecoder, Encoder as OfficialEncoder } from "socket.io-parser";
import { ensureK6 } from "../../harness/k6/provision.ts";
import { Gen } from "../unit/codec-gen.ts";
import { toWire } from "../support/binary-json.ts";
import { runCodecSelfTest, type CodecCases } from "./fixtures/codec-selftest.ts";

const ENTRY = fileURLToPath(new URL("./fixtures/codec-in-k6.entry.js", import.meta.url));

function officialEncodePacket(packet: eio.Packet, supportsBinary: boolean): unknown {
  let out: unknown;
  eio.encodePacket(packet, supportsBinary, (encoded) => (out = encoded));
  return out;
}

function buildCases(seed: number): CodecCases {
  const g = new Gen(seed);
  const cases: CodecCases = { eio: [], payloads: [], sio: [], base64: [] };
  for (let i = 0; i < 800; i++) {
    const packet = g.eioPacket(false);
    cases.eio.push({
      packet: toWire(packet),
      ws: toWire(officialEncodePacket(packet as eio.Packet, true)),
      poll: officialEncodePacket(packet as eio.Packet, false) as string,
    });
  }
  for (let i = 0; i < 200; i++) {
    const packets = Array.from({ length: g.int(1, 6) }, () => g.eioPacket(true));
    let body = "";
    eio.encodePayload(packets as eio.Packet[], (encoded) => (body = encoded));
    cases.payloads.push({ packets: toWire(packets), body });
  }
  for (let i = 0; i < 800; i++) {
    const packet = g.sioPacket();
    const parts = new OfficialEncoder().encode(structuredClone(packet) as never) as unknown[];
    const decoder = new OfficialDecoder();
    let decoded: unknown = null;
    decoder.on("decoded", (p: unknown) => (decoded = p));
    for (const part of parts) decoder.add(part);
    cases.sio.push({ packet: toWire(packet), parts: parts.map(toWire), decoded: toWire(decoded) });
  }
  for (let i = 0; i < 100; i++) {
    const bytes = Buffer.from(g.bytes(i * 3));
    cases.base64.push({ bytes: toWire(bytes), b64: bytes.toString("base64") });
  }
  return cases;
}

interface K6Result {
  code: number | null;
  output: string;
}

function runK6(k6: string, script: string, casesFile: string): Promise<K6Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(k6, ["run", "--quiet", "--no-color", "--address", "", "-e", `CODEC_CASES=${casesFile}`, script], {
      env: { ...process.env, K6_NO_USAGE_REPORT: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("codecs inside the real k6", () => {
  let dir = "";
  let k6 = "";
  let bundle = "";
  const cases = buildCases(0xc0dec);
  let expectedChecks = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rtsoak-codec-k6-"));
    k6 = (await ensureK6()).path;
    bundle = join(dir, "codec-in-k6.js");
    // Same settings the harness uses for scenarios (harness/k6/bundle.ts).
    await build({
      entryPoints: [ENTRY],
      outfile: bundle,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2020",
      external: ["k6", "k6/*"],
      logLevel: "silent",
    });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the self-test passes in Node on the same cases (and counts its checks)", () => {
    const failures: string[] = [];
    expectedChecks = runCodecSelfTest(cases, (name, ok, detail) => {
      if (!ok) failures.push(`${name}: ${detail()}`);
    });
    expect(failures).toEqual([]);
    expect(expectedChecks).toBe(800 * 4 + 200 * 2 + 800 * 2 + 100 * 2 + 1);
  });

  it("k6 runs the bundled codec and every check passes (exit 0)", async () => {
    const file = join(dir, "cases.json");
    await writeFile(file, JSON.stringify(cases));
    const result = await runK6(k6, bundle, file);
    expect(result.output).toContain(`codec-in-k6 checks=${expectedChecks} failures=0`);
    expect(result.code, result.output).toBe(0);
  });

  it("a corrupted expectation makes k6 fail the threshold (exit 99): the test can fail", async () => {
    const corrupted: CodecCases = structuredClone(cases);
    const target = corrupted.sio.find((c) => typeof c.parts[0] === "string")!;
    target.parts[0] = (target.parts[0] as string) + "x";
    corrupted.payloads[0].body = corrupted.payloads[0].body + "\x1e4extra";
    const file = join(dir, "cases-corrupted.json");
    await writeFile(file, JSON.stringify(corrupted));
    const result = await runK6(k6, bundle, file);
    expect(result.output).toMatch(/FAIL sio encode: /);
    expect(result.output).toMatch(/FAIL eio encode payload: /);
    expect(result.output).toMatch(/codec-in-k6 checks=\d+ failures=[1-9]/);
    expect(result.code, result.output).toBe(99);
  });
});

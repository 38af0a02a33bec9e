// k6 provisioning with the real k6 binary and the real Go toolchain.
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureK6, findK6 } from "../../harness/k6/provision.ts";
import { K6_PINNED_VERSION } from "../../harness/k6/version.ts";
import { UserError } from "../../harness/errors.ts";

const saved = { ...process.env };
let realK6: string;

beforeAll(async () => {
  // The project's own cache (filled by scripts/setup.sh) or whatever the machine has.
  const found = await ensureK6();
  realK6 = found.path;
}, 600_000);

afterEach(() => {
  process.env = { ...saved };
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "rtsoak-k6-"));
}

describe("finding k6", () => {
  it("uses K6_BIN first and reports its version", async () => {
    process.env.K6_BIN = realK6;
    expect(await findK6()).toEqual({ path: realK6, version: K6_PINNED_VERSION, source: "K6_BIN" });
  });

  it("then k6 on PATH", async () => {
    delete process.env.K6_BIN;
    const dir = tmp();
    symlinkSync(realK6, join(dir, "k6"));
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    expect(await findK6()).toMatchObject({ path: join(dir, "k6"), source: "PATH" });
  });

  it("then the project's cache", async () => {
    delete process.env.K6_BIN;
    const cache = tmp();
    mkdirSync(join(cache, "k6", `v${K6_PINNED_VERSION}`), { recursive: true });
    symlinkSync(realK6, join(cache, "k6", `v${K6_PINNED_VERSION}`, "k6"));
    process.env.PATH = "/usr/bin:/bin";
    process.env.RTSOAK_CACHE_DIR = cache;
    expect(await findK6()).toMatchObject({ source: "cache", version: K6_PINNED_VERSION });
  });

  it("refuses a K6_BIN that is not executable, by path", async () => {
    process.env.K6_BIN = "/nonexistent/k6";
    await expect(findK6()).rejects.toThrow("K6_BIN is set to /nonexistent/k6, which is not an executable file; fix the path or unset K6_BIN.");
  });

  it("refuses a k6 older than the supported minimum, naming both versions", async () => {
    // A stand-in that answers `k6 version` the way k6 0.45 did: only the version text matters here.
    const dir = tmp();
    const old = join(dir, "k6");
    writeFileSync(old, '#!/bin/sh\necho "k6 v0.45.0 (2023-06-19T08:40:52+0000/v0.45.0-0-gc3b4587b, go1.20.5, linux/amd64)"\n');
    chmodSync(old, 0o755);
    process.env.K6_BIN = old;
    const err = await findK6().catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^k6 0\.45\.0 at .* is older than the supported minimum 1\.0\.0; upgrade it/);
  });

  it("says how to get k6 when neither k6 nor Go is available", async () => {
    delete process.env.K6_BIN;
    process.env.PATH = "/usr/bin:/bin";
    process.env.RTSOAK_CACHE_DIR = tmp();
    process.env.RTSOAK_GO_DIRS = ""; // nor Go's usual /usr/local/go/bin
    const err = await ensureK6().catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^k6 is not installed and Go is not available to build it; install k6 .* or set K6_BIN to a k6 binary\.$/);
  });
});

describe("installing k6 with Go", () => {
  it("builds the pinned release into an empty cache and uses it", async () => {
    delete process.env.K6_BIN;
    process.env.PATH = `/usr/local/go/bin:/usr/bin:/bin`;
    const cache = tmp();
    process.env.RTSOAK_CACHE_DIR = cache;
    const lines: string[] = [];
    const k6 = await ensureK6((l) => lines.push(l));
    expect(k6).toEqual({ path: join(cache, "k6", `v${K6_PINNED_VERSION}`, "k6"), version: K6_PINNED_VERSION, source: "installed" });
    expect(lines[0]).toMatch(/building k6 v1\.8\.1 with .*go/);
    // Found in the cache next time, without building.
    expect(await findK6()).toMatchObject({ source: "cache" });
  }, 900_000);
});

// Finds the k6 binary rtsoak will use, or installs the pinned release with `go install`.
// Order: $K6_BIN, then `k6` on PATH, then the project's cache, then build with Go.
import { execFile } from "node:child_process";
import { access, constants, mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { UserError } from "../errors.ts";
import { K6_MIN_VERSION, K6_MODULE, K6_PINNED_VERSION, compareVersions, parseK6Version } from "./version.ts";

const run = promisify(execFile);

export interface K6Binary {
  path: string;
  version: string;
  source: "K6_BIN" | "PATH" | "cache" | "installed";
}

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Git-ignored cache of built tools; RTSOAK_CACHE_DIR overrides it. */
export function cacheDir(): string {
  return process.env.RTSOAK_CACHE_DIR ?? join(PROJECT_ROOT, ".cache");
}

function cachedK6Path(): string {
  return join(cacheDir(), "k6", `v${K6_PINNED_VERSION}`, "k6");
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a command up on PATH without running a shell. */
export async function whichOnPath(cmd: string, extra: string[] = []): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extra].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, cmd);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function versionOf(path: string): Promise<string> {
  try {
    const { stdout } = await run(path, ["version"], { timeout: 15_000 });
    const v = parseK6Version(stdout);
    if (!v) throw new Error(stdout);
    return v;
  } catch {
    throw new UserError(`${path} does not answer \`k6 version\` like k6 does; point K6_BIN at a real k6 binary or unset it.`);
  }
}

function checkMinimum(bin: K6Binary): K6Binary {
  if (compareVersions(bin.version, K6_MIN_VERSION) < 0) {
    throw new UserError(
      `k6 ${bin.version} at ${bin.path} is older than the supported minimum ${K6_MIN_VERSION}; upgrade it, or unset K6_BIN / remove it from PATH so rtsoak installs k6 ${K6_PINNED_VERSION}.`,
    );
  }
  return bin;
}

/** Finds k6 without installing anything; null when there is none. */
export async function findK6(): Promise<K6Binary | null> {
  const fromEnv = process.env.K6_BIN;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) {
      throw new UserError(`K6_BIN is set to ${fromEnv}, which is not an executable file; fix the path or unset K6_BIN.`);
    }
    return checkMinimum({ path: fromEnv, version: await versionOf(fromEnv), source: "K6_BIN" });
  }
  const onPath = await whichOnPath("k6");
  if (onPath) return checkMinimum({ path: onPath, version: await versionOf(onPath), source: "PATH" });
  const cached = cachedK6Path();
  if (await isExecutable(cached)) return checkMinimum({ path: cached, version: await versionOf(cached), source: "cache" });
  return null;
}

/** Finds k6, or builds the pinned release with Go into the cache. */
export async function ensureK6(onProgress: (line: string) => void = () => {}): Promise<K6Binary> {
  const found = await findK6();
  if (found) return found;
  // Go's own tarball installs outside a minimal PATH; RTSOAK_GO_DIRS overrides where else to look.
  const goDirs = (process.env.RTSOAK_GO_DIRS ?? "/usr/local/go/bin").split(":").filter(Boolean);
  const go = await whichOnPath("go", goDirs);
  if (!go) {
    throw new UserError(
      `k6 is not installed and Go is not available to build it; install k6 ${K6_MIN_VERSION} or newer (or Go, so rtsoak can build k6 ${K6_PINNED_VERSION} itself), or set K6_BIN to a k6 binary.`,
    );
  }
  const dir = join(cacheDir(), "k6", `v${K6_PINNED_VERSION}`);
  await mkdir(dir, { recursive: true });
  onProgress(`k6 not found: building k6 v${K6_PINNED_VERSION} with ${go} (once; about 2 minutes) into ${dir}`);
  try {
    await run(go, ["install", `${K6_MODULE}@v${K6_PINNED_VERSION}`], {
      env: { ...process.env, GOBIN: dir, CGO_ENABLED: "0" },
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const detail = String((err as { stderr?: string }).stderr ?? err).trim().split("\n").slice(-3).join(" ");
    throw new UserError(`building k6 with Go failed (${detail}); check that the Go module proxy is reachable, or set K6_BIN to a k6 binary.`);
  }
  const path = cachedK6Path();
  return checkMinimum({ path, version: await versionOf(path), source: "installed" });
}

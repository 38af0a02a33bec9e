// Shared by test/compose/*.test.ts: whether Docker can run here (loudly skipped when not),
// stacks in temp folders, a bounded keepalive load that counts statuses per time window, and
// the "nothing of rtsoak's is left in Docker" checks.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect } from "vitest";
import { detectCompose } from "../../harness/stack/compose/compose-cli.ts";
import { PROJECT_LABEL } from "../../harness/stack/compose/containers.ts";
import { daemonAnswers, dockerMaybe } from "../../harness/stack/compose/docker-cli.ts";
import { buildImages, type ImageName } from "../../harness/stack/compose/images.ts";
import { createComposeDriver, type ComposeDriverOptions, type ComposeRunningStack } from "../../harness/stack/compose/driver.ts";
import { resolveTopology } from "../../harness/stack/topology.ts";
import type { Topology } from "../../harness/stack/types.ts";
import { httpRequest } from "../integration/stack-helpers.ts";

async function whyNoDocker(): Promise<string | undefined> {
  if (!(await daemonAnswers())) return "no Docker daemon answers (scripts/docker-setup.sh installs and starts one)";
  try {
    await detectCompose();
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

/** Why the compose suites cannot run here, or undefined when they can. */
export const dockerSkipReason: string | undefined = await whyNoDocker();
if (dockerSkipReason) {
  console.warn(`\n${"!".repeat(78)}\n!! COMPOSE TESTS SKIPPED: ${dockerSkipReason}\n${"!".repeat(78)}\n`);
}

/** describe() that is skipped, with the reason in its name, when Docker cannot run. */
export function describeDocker(name: string, fn: () => void): void {
  describe.skipIf(dockerSkipReason !== undefined)(dockerSkipReason ? `${name} [SKIPPED: ${dockerSkipReason}]` : name, fn);
}

/** Builds the images the suites need (seconds when they are up to date). */
export async function ensureTestImages(names: ImageName[]): Promise<void> {
  await buildImages({ only: names, onProgress: (l) => console.log(`[images] ${l}`) });
}

export async function upCompose(name: string, overrides: Partial<Topology> = {}, driverOptions: ComposeDriverOptions = {}, progress: string[] = []): Promise<ComposeRunningStack> {
  const workDir = mkdtempSync(join(tmpdir(), `rtsoak-compose-${name}-`));
  return createComposeDriver({ readyTimeoutMs: 120_000, ...driverOptions }).up(resolveTopology(name, overrides), { workDir, onProgress: (l) => progress.push(l) });
}

/** Containers and networks of one compose project still in Docker. */
export async function leftovers(project: string): Promise<string[]> {
  const ps = (await dockerMaybe(["ps", "-a", "--filter", `label=${PROJECT_LABEL}=${project}`, "--format", "{{.Names}}"])) ?? "";
  const nets = (await dockerMaybe(["network", "ls", "--filter", `label=${PROJECT_LABEL}=${project}`, "--format", "{{.Name}}"])) ?? "";
  return [...ps.split("\n"), ...nets.split("\n")].map((s) => s.trim()).filter(Boolean);
}

/**
 * What the running test brought up, taken down after it: afterEach stops the load, takes the
 * stack down and checks that nothing of its project is left in Docker. Each method returns
 * what it was given: `const stack = cleanup.stack(await upCompose(…))`.
 */
export function cleanupAfterEach(): { stack(stack: ComposeRunningStack): ComposeRunningStack; load(load: KeepaliveLoad): KeepaliveLoad } {
  let stack: ComposeRunningStack | undefined;
  let load: KeepaliveLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    load = undefined;
    if (!stack) return;
    const project = stack.project;
    await stack.down();
    stack = undefined;
    expect(await leftovers(project)).toEqual([]);
  });
  return {
    stack: (s) => (stack = s),
    load: (l) => (load = l),
  };
}

/** Every container / network whose name or compose project starts with "rtsoak" (images aside). */
export async function anythingOfRtsoak(): Promise<string[]> {
  const ps = (await dockerMaybe(["ps", "-a", "--format", `{{.Names}} {{.Label "${PROJECT_LABEL}"}}`])) ?? "";
  const nets = (await dockerMaybe(["network", "ls", "--format", `{{.Name}} {{.Label "${PROJECT_LABEL}"}}`])) ?? "";
  return [...ps.split("\n"), ...nets.split("\n")].map((s) => s.trim()).filter((l) => /(^|\s)rtsoak/.test(l));
}

export interface StatusSample {
  at: number;
  status: number;
  body: string;
}

/**
 * `concurrency` loops of GET /api/v1/keepalive/ (fresh connection each, like the proxy's view
 * of many clients), until stop() — bounded by `maxMs` whatever happens.
 */
export function keepaliveLoad(baseUrl: string, concurrency = 4, maxMs = 120_000) {
  const samples: StatusSample[] = [];
  let stopped = false;
  const deadline = Date.now() + maxMs;
  const loop = async () => {
    while (!stopped && Date.now() < deadline) {
      const res = await httpRequest(`${baseUrl}/api/v1/keepalive/`, { timeoutMs: 8_000 });
      samples.push({ at: Date.now(), status: res.status, body: res.body });
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    samples,
    /** Status counts of answers that arrived in [from, to). */
    window(from: number, to = Date.now()): Record<number, number> {
      const counts: Record<number, number> = {};
      for (const s of samples) if (s.at >= from && s.at < to) counts[s.status] = (counts[s.status] ?? 0) + 1;
      return counts;
    },
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export type KeepaliveLoad = ReturnType<typeof keepaliveLoad>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, everyMs = 250): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
  return true;
}

// rtsoak's container images: app-node, app-flask, nginx, haproxy, redis, all FROM one Debian
// bookworm base (`--build-arg BASE_IMAGE`). Where no registry can be reached the base is built
// offline (debootstrap + docker import). Each image's build context is staged under
// .compose-build/<image>/ with the compose/ layout, and the image is labelled with a hash of that
// context, so an unchanged image is skipped without even asking docker to build it.
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../../errors.ts";
import { docker, dockerMaybe, imageExists, requireDaemon, run } from "./docker-cli.ts";
import { copyDependencies } from "./node-deps.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "");
export const COMPOSE_DIR = join(REPO_ROOT, "compose");
const STAGE_ROOT = join(REPO_ROOT, ".compose-build");

/** The official slim image, used when a registry is reachable or it is already present. */
export const OFFICIAL_BASE = "debian:bookworm-slim";
/** The base built offline with debootstrap when no registry is reachable. */
export const OFFLINE_BASE = "rtsoak/base:bookworm";

export type ImageName = "app-node" | "app-flask" | "nginx" | "haproxy" | "redis";
export const IMAGE_NAMES: ImageName[] = ["redis", "nginx", "haproxy", "app-node", "app-flask"];

const TAG = "latest";
export const imageRef = (name: ImageName): string => `rtsoak/${name}:${TAG}`;

/** Label holding the hash of the staged build context (and base) an image was built from. */
const SOURCE_LABEL = "org.rtsoak.sources";

interface ImageSpec {
  /** Folders under compose/ copied into the context. */
  copy: string[];
  /** The file the app needs to exist (its absence is a broken checkout, said in one sentence). */
  requires?: string;
  nodeDeps?: boolean;
}

const SPECS: Record<ImageName, ImageSpec> = {
  redis: { copy: ["images/common", "images/redis"] },
  nginx: { copy: ["images/common", "images/nginx"] },
  haproxy: { copy: ["images/common", "images/haproxy"] },
  "app-node": { copy: ["images/common", "images/app-node", "apps/node"], requires: "apps/node/server.mjs", nodeDeps: true },
  "app-flask": { copy: ["images/common", "images/app-flask", "apps/flask"], requires: "apps/flask/app.py" },
};

const skipInContext = (path: string) => /(^|\/)(node_modules|__pycache__|\.pytest_cache)(\/|$)|\.pyc$|\.log$/.test(path);

/** Stages the build context of `name` and returns its folder. */
export function stageContext(name: ImageName): string {
  const spec = SPECS[name];
  if (spec.requires && !existsSync(join(COMPOSE_DIR, spec.requires))) {
    throw new UserError(`compose/${spec.requires} is missing, so the ${name} image cannot be built; restore it from git.`);
  }
  const dir = join(STAGE_ROOT, name);
  rmSync(dir, { recursive: true, force: true });
  for (const sub of spec.copy) {
    cpSync(join(COMPOSE_DIR, sub), join(dir, sub), {
      recursive: true,
      preserveTimestamps: true,
      filter: (src) => !skipInContext(relative(COMPOSE_DIR, src)),
    });
  }
  if (spec.nodeDeps) copyDependencies(join(COMPOSE_DIR, "apps/node"), REPO_ROOT, join(dir, "vendor", "node_modules"));
  return dir;
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(p, out);
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Hash of every file (path, mode, content) in a staged context plus the base image id. */
export function contextHash(dir: string, baseId: string): string {
  const h = createHash("sha256").update(`base ${baseId}\n`);
  for (const file of listFiles(dir).sort()) {
    const rel = relative(dir, file).split(sep).join("/");
    h.update(`${rel} ${(statSync(file).mode & 0o111) !== 0 ? "x" : "-"}\n`).update(readFileSync(file));
  }
  return h.digest("hex").slice(0, 16);
}

async function imageId(ref: string): Promise<string | undefined> {
  return (await dockerMaybe(["image", "inspect", "--format", "{{.Id}}", ref], { timeoutMs: 15_000 }))?.trim();
}

async function imageLabel(ref: string, label: string): Promise<string | undefined> {
  const out = await dockerMaybe(["image", "inspect", "--format", `{{index .Config.Labels "${label}"}}`, ref], { timeoutMs: 15_000 });
  const v = out?.trim();
  return v && v !== "<no value>" ? v : undefined;
}

async function tryPull(ref: string, onProgress: (l: string) => void): Promise<boolean> {
  onProgress(`pulling ${ref}`);
  const res = await run("docker", ["pull", ref], { timeoutMs: 180_000 });
  if (res.code === 0) return true;
  onProgress(`cannot pull ${ref}: ${res.stderr.trim().split("\n").pop()}`);
  return false;
}

/** Builds OFFLINE_BASE with debootstrap (needs root and the Debian mirror). */
export async function buildOfflineBase(onProgress: (l: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new UserError(`no registry is reachable and building the offline base ${OFFLINE_BASE} needs root (debootstrap); run \`rtsoak images build\` once as root or pass --base-image <a local Debian bookworm image>.`);
  }
  const t0 = Date.now();
  onProgress(`no registry reachable: building the Debian bookworm base offline (debootstrap --variant=minbase, then docker import as ${OFFLINE_BASE})`);
  const res = await run("bash", [join(COMPOSE_DIR, "images/base/build-offline.sh"), OFFLINE_BASE], { timeoutMs: 15 * 60_000, onLine: onProgress });
  if (res.code !== 0) throw new Error(`building the offline base failed (exit ${res.code}): ${res.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  onProgress(`offline base ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The base image to build FROM. An explicit one must exist or be pullable. Otherwise: the
 * official slim image when present, else the offline base when present, else a pull of the
 * official image, else the offline base built now.
 */
export async function resolveBaseImage(opts: { baseImage?: string; force?: boolean }, onProgress: (l: string) => void): Promise<{ ref: string; offline: boolean }> {
  if (opts.baseImage) {
    if ((await imageExists(opts.baseImage)) || (await tryPull(opts.baseImage, onProgress))) return { ref: opts.baseImage, offline: false };
    throw new UserError(`base image ${opts.baseImage} is neither present nor pullable; pull or build it first, or drop --base-image to use ${OFFICIAL_BASE} or the offline Debian base.`);
  }
  if (await imageExists(OFFICIAL_BASE)) return { ref: OFFICIAL_BASE, offline: false };
  if (!opts.force && (await imageExists(OFFLINE_BASE))) {
    onProgress(`using the offline Debian base ${OFFLINE_BASE} (already built)`);
    return { ref: OFFLINE_BASE, offline: true };
  }
  if (!opts.force && (await tryPull(OFFICIAL_BASE, onProgress))) return { ref: OFFICIAL_BASE, offline: false };
  await buildOfflineBase(onProgress);
  return { ref: OFFLINE_BASE, offline: true };
}

export interface BuiltImage {
  name: ImageName;
  ref: string;
  /** built: docker ran a build; unchanged: the image already matched its sources. */
  outcome: "built" | "unchanged";
  seconds: number;
  /** Build steps docker took from its cache (legacy builder only; undefined otherwise). */
  cachedSteps?: string;
}

export interface BuildImagesOptions {
  baseImage?: string;
  /** Rebuild the base (offline) and every image without docker's cache. */
  force?: boolean;
  only?: ImageName[];
  onProgress?: (line: string) => void;
}

export interface BuildImagesResult {
  base: string;
  offlineBase: boolean;
  images: BuiltImage[];
}

async function buildOne(name: ImageName, base: { ref: string; id: string }, force: boolean, onProgress: (l: string) => void): Promise<BuiltImage> {
  const t0 = Date.now();
  const ref = imageRef(name);
  const dir = stageContext(name);
  const hash = contextHash(dir, base.id);
  if (!force && (await imageLabel(ref, SOURCE_LABEL)) === hash) {
    return { name, ref, outcome: "unchanged", seconds: (Date.now() - t0) / 1000 };
  }
  onProgress(`building ${ref} (FROM ${base.ref})`);
  const args = ["build", "-t", ref, "-f", join(dir, "images", name, "Dockerfile"), "--build-arg", `BASE_IMAGE=${base.ref}`,
    "--label", `${SOURCE_LABEL}=${hash}`, "--label", `org.rtsoak.base=${base.ref}`];
  if (force) args.push("--no-cache");
  args.push(dir);
  let steps = 0;
  let cached = 0;
  await docker(args, {
    timeoutMs: 20 * 60_000,
    onLine: (l) => {
      if (/^Step \d+\/\d+/.test(l)) steps++;
      if (/Using cache/.test(l)) cached++;
    },
  });
  return { name, ref, outcome: "built", seconds: (Date.now() - t0) / 1000, cachedSteps: steps ? `${cached}/${steps}` : undefined };
}

/** Builds (or confirms) the images; a second call with nothing changed returns in about a second. */
export async function buildImages(opts: BuildImagesOptions = {}): Promise<BuildImagesResult> {
  const onProgress = opts.onProgress ?? (() => undefined);
  await requireDaemon();
  const base = await resolveBaseImage(opts, onProgress);
  const baseId = (await imageId(base.ref)) ?? base.ref;
  const images: BuiltImage[] = [];
  for (const name of opts.only ?? IMAGE_NAMES) {
    const built = await buildOne(name, { ref: base.ref, id: baseId }, opts.force ?? false, onProgress);
    onProgress(`${built.ref}: ${built.outcome === "unchanged" ? "up to date" : `built${built.cachedSteps ? ` (${built.cachedSteps} steps cached)` : ""}`} in ${built.seconds.toFixed(1)} s`);
    images.push(built);
  }
  // drop the stale, untagged images earlier builds left behind (only ours: label filter)
  await dockerMaybe(["image", "prune", "-f", "--filter", "label=org.rtsoak.sources"], { timeoutMs: 60_000 });
  return { base: base.ref, offlineBase: base.offline, images };
}

/** Images a topology needs that are missing locally. */
export async function missingImages(names: ImageName[]): Promise<ImageName[]> {
  const missing: ImageName[] = [];
  for (const n of names) if (!(await imageExists(imageRef(n)))) missing.push(n);
  return missing;
}

/** Builds the given images when any is missing (first run); says so through onProgress. */
export async function ensureImages(names: ImageName[], onProgress: (l: string) => void): Promise<void> {
  const missing = await missingImages(names);
  if (missing.length === 0) return;
  onProgress(`images missing (${missing.join(", ")}): building them once (\`rtsoak images build\` does this ahead of time)`);
  await buildImages({ only: missing, onProgress });
}

/** Short base-image summary for `images build` output. */
export async function describeImage(ref: string): Promise<string> {
  const out = await docker(["image", "inspect", "--format", "{{.Size}}", ref], { timeoutMs: 15_000 });
  return `${ref} ${Math.round(Number(out.trim()) / 1e6)} MB`;
}

// The Node app image gets its npm dependencies from this repository's node_modules, not from
// the npm registry: build containers here reach registry.npmjs.org only through a TLS-inspecting
// egress proxy whose CA they do not trust, and copying the tested versions is exact and offline.
// This module finds the dependency closure of compose/apps/node/package.json with Node's
// resolution rule (nearest node_modules upward) and copies it into the image's build context.
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { UserError } from "../../errors.ts";

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** Where `name` resolves from `fromDir`, looking in node_modules folders up to `rootDir`. */
function resolvePackage(fromDir: string, name: string, rootDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === rootDir) return undefined;
    const parent = dirname(dir);
    if (parent === dir || !parent.startsWith(rootDir)) return undefined;
    dir = parent;
  }
}

/** Type-only packages are not needed at run time. */
const runtimeOnly = (name: string) => !name.startsWith("@types/");

/**
 * Package folders (absolute) needed to run the app at `appDir`, resolved within `rootDir`.
 * Throws UserError when a dependency is not installed.
 */
export function dependencyClosure(appDir: string, rootDir: string): string[] {
  const root = resolve(rootDir);
  const seen = new Set<string>();
  const visit = (dir: string, from: string) => {
    const pkg = readPackage(dir);
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    for (const name of Object.keys(deps).filter(runtimeOnly)) {
      const found = resolvePackage(dir, name, root);
      if (!found) {
        if (pkg.optionalDependencies?.[name]) continue;
        throw new UserError(`${name} (needed by ${from}) is not installed under ${root}; run \`npm install\` there, then build the images again.`);
      }
      if (seen.has(found)) continue;
      seen.add(found);
      visit(found, name);
    }
  };
  visit(resolve(appDir), "the Node app");
  return [...seen].sort();
}

/**
 * Copies the closure into `destNodeModules` keeping each package's path below the nearest
 * node_modules (so nested versions stay nested). Returns the number of packages copied.
 */
export function copyDependencies(appDir: string, rootDir: string, destNodeModules: string): number {
  const root = resolve(rootDir);
  const dirs = dependencyClosure(appDir, root);
  mkdirSync(destNodeModules, { recursive: true });
  const marker = `${sep}node_modules${sep}`;
  for (const dir of dirs) {
    // <root>/node_modules/engine.io/node_modules/ws -> engine.io/node_modules/ws (the part after
    // the first node_modules, so an app-local node_modules maps the same way as the root one)
    const rel = dir.slice(dir.indexOf(marker) + marker.length);
    // a package's own nested node_modules are copied as packages of their own when needed
    cpSync(dir, join(destNodeModules, rel), {
      recursive: true,
      preserveTimestamps: true,
      filter: (src) => !src.slice(dir.length).startsWith(`${sep}node_modules`),
    });
  }
  return dirs.length;
}

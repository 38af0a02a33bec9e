// Bundles scenario entry points (scenarios/*.ts) into k6-ready ESM files with esbuild.
// k6 modules stay external: k6 provides them at run time.
import { build } from "esbuild";
import { mkdir, readdir } from "node:fs/promises";
import { join, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";

export const SCENARIOS_DIR = fileURLToPath(new URL("../../scenarios/", import.meta.url));

/** Names of the scenario entry files (scenarios/*.ts), without extension. */
export async function listScenarios(dir = SCENARIOS_DIR): Promise<string[]> {
  const files = await readdir(dir);
  return files
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => basename(f, ".ts"))
    .sort();
}

export async function assertScenarioExists(name: string, dir = SCENARIOS_DIR): Promise<void> {
  const names = await listScenarios(dir);
  if (!names.includes(name)) {
    throw new UserError(`unknown scenario "${name}"; choose one of: ${names.join(", ")}.`);
  }
}

/** Bundles one scenario into outDir/<name>.js and returns its path. */
export async function bundleScenario(name: string, outDir: string, dir = SCENARIOS_DIR): Promise<string> {
  await assertScenarioExists(name, dir);
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `${name}.js`);
  await build({
    entryPoints: [join(dir, `${name}.ts`)],
    outfile,
    bundle: true,
    format: "esm",
    // k6's runtime (sobek) is ES2020-ish with no Node built-ins.
    platform: "neutral",
    target: "es2020",
    mainFields: ["module", "main"],
    external: ["k6", "k6/*"],
    sourcemap: "inline",
    logLevel: "silent",
  });
  return outfile;
}

/** Bundles every scenario; returns name → bundled file. */
export async function bundleAll(outDir: string, dir = SCENARIOS_DIR): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await listScenarios(dir)) out[name] = await bundleScenario(name, outDir, dir);
  return out;
}

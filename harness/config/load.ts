// Reads a config file (rtsoak.config.ts / .json / .yaml) and validates its shape by key.
// Unknown keys are rejected, not ignored: a typo must not silently fall back to a default.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import { UserError } from "../errors.ts";

export const DEFAULT_CONFIG_FILES = ["rtsoak.config.ts", "rtsoak.config.json", "rtsoak.config.yaml", "rtsoak.config.yml"];

/** What a config file may contain; every key optional. */
export interface ConfigFile {
  profile?: string;
  duration?: string;
  scenario?: string;
  clients?: number;
  clientsPerVu?: number;
  env?: Record<string, string | number | boolean>;
  topology?: string | Record<string, unknown>;
  stack?: string;
  target?: string;
  allowRemote?: boolean;
  events?: Array<string | Record<string, unknown>>;
  thresholds?: Record<string, string>;
  window?: string;
  settle?: string;
  sourceAddresses?: number;
  outDir?: string;
  port?: number;
  compose?: { file: string; proxyService: string; appService: string; redisService?: string; proxyPort?: number };
}

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === "string" && v.length > 0;
const isPositiveInt: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const isBool: Check = (v) => typeof v === "boolean";
const isStringMap: Check = (v) =>
  !!v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => ["string", "number", "boolean"].includes(typeof x));

const SHAPE: Record<keyof ConfigFile, [Check, string]> = {
  profile: [isString, `"smoke", "gate" or "soak"`],
  duration: [isString, `a duration string like "90s"`],
  scenario: [isString, `a scenario name like "mixed"`],
  clients: [isPositiveInt, "a positive whole number"],
  clientsPerVu: [isPositiveInt, "a positive whole number"],
  env: [isStringMap, "an object of NAME: value pairs"],
  topology: [(v) => isString(v) || (!!v && typeof v === "object" && !Array.isArray(v)), "a preset name, a topology file path, or a topology object"],
  stack: [(v) => v === "local" || v === "compose", `"local" or "compose"`],
  target: [isString, `a URL like "http://127.0.0.1:3000"`],
  allowRemote: [isBool, "true or false"],
  events: [(v) => Array.isArray(v), `a list like ["30s:recycle", { every: "60s", action: "kill" }]`],
  thresholds: [(v) => isStringMap(v) && Object.values(v as object).every((x) => typeof x === "string"), `an object like { sessionUnknownRate: "<0.1%" }`],
  window: [isString, `a duration string like "1s"`],
  settle: [isString, `a duration string like "10s"`],
  sourceAddresses: [isPositiveInt, "a positive whole number"],
  outDir: [isString, "a folder path"],
  port: [(v) => isPositiveInt(v) && (v as number) < 65536, "a TCP port number"],
  compose: [
    (v) => !!v && typeof v === "object" && isString((v as any).file) && isString((v as any).proxyService) && isString((v as any).appService),
    `an object like { file: "docker-compose.yml", proxyService: "proxy", appService: "app", redisService: "redis" }`,
  ],
};

export function validateConfig(raw: unknown, source: string): ConfigFile {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UserError(`${source} must hold one object of settings (like { "profile": "gate" }); fix the file.`);
  }
  for (const [key, value] of Object.entries(raw)) {
    const rule = SHAPE[key as keyof ConfigFile];
    if (!rule) {
      throw new UserError(`${source} has an unknown key "${key}"; the keys are: ${Object.keys(SHAPE).join(", ")}.`);
    }
    if (!rule[0](value)) {
      throw new UserError(`${source}: "${key}" is ${JSON.stringify(value)}, but it must be ${rule[1]}.`);
    }
  }
  return raw as ConfigFile;
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  const full = resolve(path);
  if (!existsSync(full)) throw new UserError(`config file ${path} does not exist; check the path given to --config.`);
  const ext = extname(full);
  let raw: unknown;
  try {
    if (ext === ".json") raw = JSON.parse(await readFile(full, "utf8"));
    else if (ext === ".yaml" || ext === ".yml") raw = parseYaml(await readFile(full, "utf8"));
    else if ([".ts", ".mts", ".js", ".mjs"].includes(ext)) {
      const mod = await import(pathToFileURL(full).href);
      raw = mod.default ?? mod.config;
    } else {
      throw new UserError(`config file ${path} has an unsupported extension; use .ts, .json, .yaml or .yml.`);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`config file ${path} could not be read (${(err as Error).message.split("\n")[0]}); fix its syntax.`);
  }
  return validateConfig(raw, path);
}

/** The config file named by --config, else the first default file in cwd, else none. */
export async function findConfig(explicit: string | undefined, cwd = process.cwd()): Promise<{ path: string; config: ConfigFile } | null> {
  if (explicit) return { path: explicit, config: await loadConfigFile(explicit) };
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return { path, config: await loadConfigFile(path) };
  }
  return null;
}

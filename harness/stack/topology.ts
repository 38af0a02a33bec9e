// The topology model's front door: a preset name or a topology file (JSON or YAML,
// `extends: <preset>`), plus overrides, merged, validated, complete.
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { UserError } from "../errors.ts";
import { DEFAULT_FLASK, DEFAULT_TOPOLOGY, PRESETS } from "./presets.ts";
import { checkCombination, checkShape, FILE_ONLY_KEYS } from "./topology-validate.ts";
import type { Topology } from "./types.ts";

export interface PresetInfo {
  name: string;
  description: string;
}

export function listPresets(): PresetInfo[] {
  return Object.entries(PRESETS).map(([name, p]) => ({ name, description: p.description }));
}

type PartialTopology = Partial<Omit<Topology, "proxyTimeouts" | "flask">> & {
  proxyTimeouts?: Partial<Topology["proxyTimeouts"]>;
  flask?: Partial<NonNullable<Topology["flask"]>>;
};

function merge(base: Topology, over: PartialTopology): Topology {
  const out: Topology = { ...base, ...(over as Partial<Topology>) };
  out.proxyTimeouts = { ...base.proxyTimeouts, ...over.proxyTimeouts };
  if (base.flask || over.flask) out.flask = { ...DEFAULT_FLASK, ...base.flask, ...over.flask };
  return out;
}

function presetTopology(name: string): Topology {
  const preset = PRESETS[name];
  return merge({ ...DEFAULT_TOPOLOGY, name }, preset.topology);
}

function unknownTopology(name: string): UserError {
  return new UserError(
    `unknown topology "${name}"; use a preset (${Object.keys(PRESETS).join(", ")}) or the path of a .json or .yaml topology file.`,
  );
}

function looksLikeFile(s: string): boolean {
  return /\.(json|ya?ml)$/i.test(s) || s.includes("/") || existsSync(s);
}

function readTopologyFile(file: string): unknown {
  if (!existsSync(file)) throw new UserError(`topology file ${file} does not exist; check the path or use a preset name.`);
  const text = readFileSync(file, "utf8");
  try {
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const why = (err as Error).message.split("\n")[0];
    throw new UserError(`topology file ${file} is not valid ${/\.json$/i.test(file) ? "JSON" : "YAML"} (${why}); fix its syntax.`);
  }
}

function fromFile(file: string): Topology {
  const source = `topology file ${file}`;
  const data = readTopologyFile(file);
  checkShape(source, data, FILE_ONLY_KEYS);
  const { extends: parent, ...keys } = data as Record<string, unknown>;
  let base: Topology = { ...DEFAULT_TOPOLOGY };
  if (parent !== undefined) {
    if (typeof parent !== "string" || !PRESETS[parent]) {
      throw new UserError(`${source}: "extends" must name a preset (${Object.keys(PRESETS).join(", ")}), got ${JSON.stringify(parent)}.`);
    }
    base = presetTopology(parent);
  }
  const name = typeof keys.name === "string" ? keys.name : "custom";
  const t = merge(base, keys as PartialTopology);
  t.name = name;
  if (t.app === "flask" && !t.flask) t.flask = { ...DEFAULT_FLASK };
  if (t.app === "node" && !(keys as PartialTopology).flask) delete t.flask;
  return t;
}

/**
 * A complete, valid topology from a preset name or a topology file, with `overrides`
 * (e.g. from flags) on top. Throws UserError naming the bad key and the expected shape.
 */
export function resolveTopology(nameOrFile: string, overrides: PartialTopology = {}): Topology {
  let t: Topology;
  let source: string;
  if (PRESETS[nameOrFile]) {
    t = presetTopology(nameOrFile);
    source = `topology ${nameOrFile}`;
  } else if (looksLikeFile(nameOrFile)) {
    t = fromFile(nameOrFile);
    source = `topology file ${nameOrFile}`;
  } else {
    throw unknownTopology(nameOrFile);
  }
  if (Object.keys(overrides).length > 0) {
    checkShape("topology overrides", overrides);
    const switchesApp = overrides.app !== undefined && overrides.app !== t.app;
    t = merge(t, overrides);
    if (t.app === "flask" && !t.flask) t.flask = { ...DEFAULT_FLASK };
    if (switchesApp && t.app === "node" && !overrides.flask) delete t.flask;
    source = `${source} with overrides`;
  }
  checkCombination(source, t);
  return t;
}

// A tiny JSON Schema checker for the subset rtsoak's own schemas use: type (one or a list),
// const, enum, required, properties, additionalProperties (false or a schema), items,
// minimum, maximum, minLength, and local $ref ("#/$defs/name"). Annotations (title,
// description, format, $id, $schema) are ignored. Unknown keywords are an error, so the
// schema cannot silently outgrow the checker.

export type JsonSchema = Record<string, unknown>;

const KNOWN = new Set([
  "$schema", "$id", "$defs", "$ref", "title", "description", "format",
  "type", "const", "enum", "required", "properties", "additionalProperties", "items",
  "minimum", "maximum", "minLength",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

/** Returns the list of violations ("$.totals.requests: expected integer, got string"); empty when valid. */
export function validateJson(value: unknown, schema: JsonSchema): string[] {
  const errors: string[] = [];
  const root = schema;

  function resolve(ref: string): JsonSchema {
    const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
    const defs = root.$defs as Record<string, JsonSchema> | undefined;
    if (!m || !defs || !defs[m[1]]) throw new Error(`unsupported or unknown $ref ${ref}`);
    return defs[m[1]];
  }

  function check(v: unknown, s: JsonSchema, path: string): void {
    for (const key of Object.keys(s)) if (!KNOWN.has(key)) throw new Error(`schema keyword ${key} at ${path} is not supported`);
    if (typeof s.$ref === "string") check(v, resolve(s.$ref), path);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => typeMatches(v, t))) {
        errors.push(`${path}: expected ${types.join(" or ")}, got ${typeOf(v)}`);
        return;
      }
    }
    if ("const" in s && JSON.stringify(v) !== JSON.stringify(s.const)) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      errors.push(`${path}: expected one of ${JSON.stringify(s.enum)}, got ${JSON.stringify(v)}`);
    }
    if (typeof v === "number") {
      if (typeof s.minimum === "number" && v < s.minimum) errors.push(`${path}: ${v} is below the minimum ${s.minimum}`);
      if (typeof s.maximum === "number" && v > s.maximum) errors.push(`${path}: ${v} is above the maximum ${s.maximum}`);
    }
    if (typeof v === "string" && typeof s.minLength === "number" && v.length < s.minLength) {
      errors.push(`${path}: shorter than ${s.minLength} characters`);
    }
    if (Array.isArray(v) && s.items && typeof s.items === "object") {
      v.forEach((item, i) => check(item, s.items as JsonSchema, `${path}[${i}]`));
    }
    if (typeOf(v) === "object") {
      const obj = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in obj)) errors.push(`${path}: missing required property ${r}`);
      for (const [k, child] of Object.entries(obj)) {
        const at = `${path}.${k}`;
        if (props[k]) check(child, props[k], at);
        else if (s.additionalProperties === false) errors.push(`${at}: property not allowed`);
        else if (s.additionalProperties && typeof s.additionalProperties === "object") check(child, s.additionalProperties as JsonSchema, at);
      }
    }
  }

  check(value, schema, "$");
  return errors;
}

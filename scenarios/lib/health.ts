// Reading the keepalive endpoint's answer: {"serverHealth":{"status":"healthy|degraded|critical",…}}.
// Pure, shared by the keepalive scenario and its unit tests.

export const HEALTH_STATES = ["healthy", "degraded", "critical"] as const;
/** A state the server reports. */
export type ServerHealth = (typeof HEALTH_STATES)[number];
/** What a keepalive tick records: the server's state, or "error" when no valid answer came. */
export type Health = ServerHealth | "error";

export function isHealth(v: string): v is ServerHealth {
  return (HEALTH_STATES as readonly string[]).indexOf(v) !== -1;
}

/** serverHealth.status of a keepalive body, or null when the body is not a valid answer. */
export function readHealth(body: string | null | undefined): ServerHealth | null {
  if (!body) return null;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (json === null || typeof json !== "object") return null;
  const sh = (json as { serverHealth?: unknown }).serverHealth;
  if (sh === null || typeof sh !== "object") return null;
  const status = (sh as { status?: unknown }).status;
  return typeof status === "string" && isHealth(status) ? status : null;
}

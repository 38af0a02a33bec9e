// Brings up the stack a run asked for: the built-in replica (local processes or compose
// containers) or the user's own compose file. Interrupting during start-up tears down.
import type { RunSettings } from "../config/settings.ts";
import { UserError } from "../errors.ts";
import { resolveTopology } from "../stack/topology.ts";
import type { RunningStack, Topology } from "../stack/types.ts";

export async function startStack(
  settings: RunSettings,
  workDir: string,
  onProgress: (line: string) => void,
  signal: AbortSignal,
): Promise<RunningStack> {
  const topology = topologyOf(settings);
  let stack: RunningStack;
  if (settings.stack === "compose") {
    const compose = await import("../stack/compose/driver.ts");
    const driver = settings.compose ? compose.composeDriverForUserFile(settings.compose) : compose.composeDriver;
    stack = await driver.up(topology, { workDir, onProgress, proxyPort: settings.port });
  } else {
    const { localDriver } = await import("../stack/local/driver.ts");
    stack = await localDriver.up(topology, { workDir, onProgress, proxyPort: settings.port });
  }
  if (signal.aborted) {
    await stack.down();
    throw new UserError("interrupted while the stack was starting; it has been torn down and nothing was measured.");
  }
  return stack;
}

function topologyOf(settings: RunSettings): Topology {
  const t = settings.topology;
  if (typeof t === "string") return resolveTopology(t);
  const { extends: base, ...overrides } = t;
  return resolveTopology(base ?? "nginx-iphash-2x1", overrides);
}

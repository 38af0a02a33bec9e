// `rtsoak bundle`: writes every scenario as a k6-ready file (to inspect, or to run with plain k6).
import { resolve } from "node:path";
import { bundleAll, bundleScenario } from "../k6/bundle.ts";

export async function bundleCommand(opts: { out: string; scenario?: string }, out: (line: string) => void = console.log): Promise<number> {
  const dir = resolve(opts.out);
  const files = opts.scenario ? { [opts.scenario]: await bundleScenario(opts.scenario, dir) } : await bundleAll(dir);
  for (const [name, file] of Object.entries(files)) out(`${name.padEnd(10)} ${file}`);
  return 0;
}

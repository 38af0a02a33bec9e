// `rtsoak images build`: the compose replica's images (app-node, app-flask, nginx, haproxy,
// redis) FROM one Debian bookworm base. Offline machines get a debootstrap-built base first.
// Cached: nothing changed means each image is confirmed from its source-hash label in well
// under a second.
import { EXIT } from "../errors.ts";

export interface ImagesBuildOptions {
  /** Build FROM this image instead of debian:bookworm-slim / the offline base. */
  baseImage?: string;
  /** Rebuild the offline base and every image without docker's layer cache. */
  force?: boolean;
  /** Output lines (default stdout). */
  print?: (line: string) => void;
}

export async function imagesBuildCommand(opts: ImagesBuildOptions = {}): Promise<number> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { buildImages, describeImage } = await import("../stack/compose/images.ts");
  const t0 = Date.now();
  const result = await buildImages({ baseImage: opts.baseImage, force: opts.force, onProgress: print });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const built = result.images.filter((i) => i.outcome === "built").length;
  print(`images ready in ${seconds} s (${built} built, ${result.images.length - built} up to date), FROM ${result.base}${result.offlineBase ? " (built offline)" : ""}:`);
  for (const img of result.images) print(`  ${await describeImage(img.ref)}`);
  return EXIT.ok;
}

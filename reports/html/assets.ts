// The files the HTML report inlines, read once per process: uPlot (script + stylesheet) from
// node_modules, and the report's own page script and stylesheet next to this file.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface HtmlAssets {
  uplotJs: string;
  uplotCss: string;
  pageJs: string;
  pageCss: string;
}

let cached: HtmlAssets | undefined;

export function loadHtmlAssets(): HtmlAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (url: URL | string) => readFileSync(url, "utf8");
  cached = {
    uplotJs: read(require.resolve("uplot/dist/uPlot.iife.min.js")),
    uplotCss: read(require.resolve("uplot/dist/uPlot.min.css")),
    pageJs: read(new URL("./page.js", import.meta.url)),
    pageCss: read(new URL("./page.css", import.meta.url)),
  };
  return cached;
}

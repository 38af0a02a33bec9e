// Escaping for everything the HTML report inlines: text and attributes, script and style
// bodies (so a "</script>" inside a library or a string cannot end the element early),
// and JSON data islands.

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A JavaScript body for an inline <script>: "</script" and "<!--" cannot appear raw. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** A CSS body for an inline <style>. */
export function inlineStyle(css: string): string {
  return css.replace(/<\/(style)/gi, "<\\/$1");
}

/** JSON for a <script type="application/json"> island: no "<", ">" or "&" raw, so no tag can close it. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

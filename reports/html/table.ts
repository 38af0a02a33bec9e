// One HTML table builder for every section of the report. Cells are HTML (escape text first);
// numeric columns are right-aligned.
import { escapeHtml } from "./escape.ts";

export interface Row {
  cells: string[];
  className?: string;
}

export interface Column {
  label: string;
  numeric?: boolean;
  title?: string;
}

export function htmlTable(columns: Column[], rows: Row[], className = ""): string {
  const head = columns
    .map((c) => `<th${c.numeric ? ' class="num"' : ""}${c.title ? ` title="${escapeHtml(c.title)}"` : ""}>${escapeHtml(c.label)}</th>`)
    .join("");
  const body = rows
    .map((r) => {
      const cells = r.cells.map((cell, i) => `<td${columns[i]?.numeric ? ' class="num"' : ""}>${cell}</td>`).join("");
      return `<tr${r.className ? ` class="${r.className}"` : ""}>${cells}</tr>`;
    })
    .join("\n");
  return `<div class="table-wrap"><table${className ? ` class="${className}"` : ""}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** "400 ×8,115 · 502 ×177" as escaped HTML, or an em dash. */
export function countsCell(entries: Array<[string, number]>, format: (n: number) => string): string {
  if (entries.length === 0) return '<span class="muted">—</span>';
  return entries.map(([k, n]) => `<span class="chip">${escapeHtml(k)} <b>×${format(n)}</b></span>`).join(" ");
}

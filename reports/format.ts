// How reports print numbers, shares, durations and instants. Locale-free and timezone-free
// (UTC ISO instants), so every renderer's output is byte-identical on every machine.

/** 26281 -> "26,281". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  const [int, frac] = Math.abs(n).toString().split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + grouped + (frac ? "." + frac : "");
}

/** A share 0..1 as a percentage with precision that suits its size: 0.3088 -> "30.9 %". */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "n/a";
  if (share === 0) return "0 %";
  const p = share * 100;
  const abs = Math.abs(p);
  if (abs >= 10) return `${p.toFixed(1)} %`;
  if (abs >= 0.1) return `${p.toFixed(2)} %`;
  if (abs >= 0.001) return `${p.toFixed(3)} %`;
  return "<0.001 %";
}

/** A latency or duration in ms: "0.8 ms", "41 ms", "1.25 s", "2m 05s", "1h 02m". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  const abs = Math.abs(ms);
  if (abs < 10) return `${trimZeros(ms.toFixed(1))} ms`;
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${trimZeros((ms / 1000).toFixed(2))} s`;
  const totalS = Math.round(abs / 1000);
  const sign = ms < 0 ? "-" : "";
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)}m ${pad2(totalS % 60)}s`;
  return `${sign}${Math.floor(totalS / 3600)}h ${pad2(Math.floor((totalS % 3600) / 60))}m`;
}

/** Offset from the start of the run: 95000 -> "+1:35", 3725000 -> "+1:02:05". */
export function formatOffset(ms: number): string {
  const totalS = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return h > 0 ? `+${h}:${pad2(m)}:${pad2(s)}` : `+${m}:${pad2(s)}`;
}

/** Epoch ms -> "2025-03-14T10:00:00Z" (UTC; milliseconds only when present). */
export function formatInstant(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return "n/a";
  return new Date(epochMs).toISOString().replace(".000Z", "Z");
}

/** A small generic number: integers grouped, others with up to 3 decimals. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return formatCount(n);
  return trimZeros(n.toFixed(3));
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

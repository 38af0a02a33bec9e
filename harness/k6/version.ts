// The one place the k6 release is pinned. Installed from the Go module proxy.
export const K6_MODULE = "go.k6.io/k6";
export const K6_PINNED_VERSION = "1.8.1";
/** Oldest k6 rtsoak supports: k6/websockets (non-experimental) and http.asyncRequest are needed. */
export const K6_MIN_VERSION = "1.0.0";

/** Compares dotted versions numerically: <0 when a<b, 0 when equal, >0 when a>b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Extracts "1.8.1" from `k6 version` output ("k6 v1.8.1 (go1.26.8, linux/amd64)"). */
export function parseK6Version(output: string): string | null {
  const m = /k6 v?(\d+\.\d+\.\d+)/.exec(output);
  return m ? m[1] : null;
}

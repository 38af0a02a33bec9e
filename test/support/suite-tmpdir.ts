// Vitest global setup: the whole suite's temporary folders (stack work dirs, run folders,
// compose files) go under one folder, removed when the suite ends, so a CI machine is not
// left with dozens of them per run. RTSOAK_KEEP_TEST_TMP=1 keeps it for a post-mortem.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "rtsoak-tests-"));
  // os.tmpdir() reads TMPDIR; the test workers are started after this and inherit it
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.RTSOAK_KEEP_TEST_TMP === "1") console.log(`test temporary files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}

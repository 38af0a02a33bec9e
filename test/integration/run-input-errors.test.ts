// Bad input through the real CLI (`rtsoak run` in a temp folder): each case exits 2 with exactly
// one line on stderr, "rtsoak: <the problem>; <the fix>.", no stack trace, nothing on stdout,
// and no run folder left behind.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, isPortFree } from "../../harness/net/ports.ts";
import { runCli, sleep, stderrLines, tempCwd, type CliResult } from "./support/run-cli.ts";

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

function expectOneSentence(r: CliResult, runDir: string, message: RegExp): void {
  const lines = stderrLines(r);
  expect(r.code, r.stderr).toBe(2);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^rtsoak: /);
  expect(lines[0]).toMatch(message);
  expect(lines[0]).not.toMatch(/internal error|\n\s+at |\.ts:\d+/);
  expect(r.stdout).toBe("");
  expect(existsSync(runDir), "no run folder for a run that could not start").toBe(false);
}

async function bad(name: string, args: string[], opts: { env?: NodeJS.ProcessEnv; command?: string[]; files?: Record<string, string> } = {}) {
  const cwd = tempCwd(`bad-${name}`);
  cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(opts.files ?? {})) writeFileSync(join(cwd, file), text);
  const runDir = join(cwd, "run");
  const r = await runCli([...args, "--out", runDir], { cwd, env: opts.env, command: opts.command, timeoutMs: 60_000 });
  console.log(`${name}: exit ${r.code} in ${r.ms} ms: ${r.stderr.trim()}`);
  return { r, runDir };
}

/** Can this machine hide a directory from one command (a private mount namespace)? */
const canUnshare = spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;

describe("rtsoak run: bad input is one sentence and exit 2 (real CLI)", () => {
  it("an unknown scenario", async () => {
    const { r, runDir } = await bad("scenario", ["run", "--scenario", "nosuch", "--no-events"]);
    expectOneSentence(r, runDir, /^rtsoak: unknown scenario "nosuch"; choose one of: .*mixed.*polling.*\.$/);
  });

  it("a malformed target URL", async () => {
    const { r, runDir } = await bad("url", ["run", "--target", "http//127.0.0.1:3000", "--no-events"]);
    expectOneSentence(r, runDir, /^rtsoak: target "http\/\/127\.0\.0\.1:3000" is not a URL; write it like http:\/\/127\.0\.0\.1:3000\.$/);
  });

  it("a target with nothing listening", async () => {
    const port = await freePort();
    const { r, runDir } = await bad("refused", ["run", "--target", `http://127.0.0.1:${port}`, "--no-events"]);
    expectOneSentence(r, runDir, new RegExp(`^rtsoak: nothing answers at http://127\\.0\\.0\\.1:${port} \\(connection refused\\); start your service there or fix --target\\.$`));
  });

  it("a non-loopback target without --allow-remote", async () => {
    // 192.0.2.0/24 is TEST-NET-1: nothing is ever sent there (the check comes first)
    const { r, runDir } = await bad("remote", ["run", "--target", "http://192.0.2.10:3000", "--no-events"]);
    expectOneSentence(r, runDir, /^rtsoak: target 192\.0\.2\.10:3000 is not a loopback address; .*--allow-remote.*\.$/);
  });

  it("a config file with an unknown key", async () => {
    const { r, runDir } = await bad("config", ["run"], { files: { "rtsoak.config.yaml": "scenario: polling\nclinets: 5\n" } });
    expectOneSentence(r, runDir, /^rtsoak: \S*rtsoak\.config\.yaml has an unknown key "clinets"; the keys are: .*clients.*\.$/);
  });

  it.skipIf(!canUnshare)("k6 missing and Go missing (PATH=/usr/bin:/bin, empty cache, no K6_BIN, /usr/local/go hidden)", async () => {
    const cache = tempCwd("empty-cache");
    const hide = tempCwd("empty-dir");
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }), () => rmSync(hide, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { PATH: "/usr/bin:/bin", RTSOAK_CACHE_DIR: cache, HOME: process.env.HOME };
    // provision.ts also looks in /usr/local/go/bin (Go is often installed outside PATH): hide it
    // from this one command with a bind mount in a private mount namespace.
    const command = ["unshare", "-m", "--propagation", "private", "sh", "-c", `if [ -d /usr/local/go/bin ]; then mount --bind "$0" /usr/local/go/bin || exit 99; fi; exec "$@"`, hide, process.execPath];
    const { r, runDir } = await bad("no-k6", ["run", "--no-events", "--duration", "10s"], { env, command });
    expectOneSentence(r, runDir, /^rtsoak: k6 is not installed and Go is not available to build it; install k6 [\d.]+ or newer .*or set K6_BIN to a k6 binary\.$/);
    expect(existsSync(join(cache, "k6", "v1.8.1", "k6")), "nothing was built").toBe(false);
  });

  it("a taken --port", async () => {
    const port = await freePort();
    const holder = spawn(process.execPath, ["-e", `require("net").createServer().listen(${port}, "127.0.0.1"); setTimeout(() => {}, 60000)`], { stdio: "ignore" });
    cleanups.push(() => holder.kill("SIGKILL"));
    let taken = false;
    for (let i = 0; i < 100 && !taken; i++) {
      taken = !(await isPortFree(port));
      if (!taken) await sleep(100);
    }
    expect(taken, "the holder listens").toBe(true);
    const { r, runDir } = await bad("port", ["run", "--no-events", "--duration", "10s", "--port", String(port)]);
    expectOneSentence(r, runDir, new RegExp(`^rtsoak: port ${port} is taken by pid ${holder.pid} \\(node -e .*\\); stop it or pass --port <free port>\\.$`));
  });
});

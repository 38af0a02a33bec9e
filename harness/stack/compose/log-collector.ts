// Every container's stdout/stderr, streamed into the run folder as it is written
// (`docker logs -f`, one follower per container; lines as the app wrote them), so logs of containers that a
// scale or a recreate removes are kept, and the files are complete when the stack is down.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";

interface Follower {
  proc: ChildProcess;
  out: WriteStream;
  done: Promise<void>;
}

export class LogCollector {
  private readonly followers = new Map<string, Follower>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The log file of a container label ("app1", "proxy", "redis"). */
  fileFor(label: string): string {
    return join(this.dir, `${label}.log`);
  }

  /**
   * Follows a container's output into <dir>/<label>.log (appending: a container that is
   * recreated under the same label continues the same file). Idempotent per container id.
   */
  follow(containerId: string, label: string): string {
    const file = this.fileFor(label);
    if (this.followers.has(containerId)) return file;
    const out = createWriteStream(file, { flags: "a" });
    const proc = spawn("docker", ["logs", "-f", containerId], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout!.pipe(out, { end: false });
    proc.stderr!.pipe(out, { end: false });
    const done = new Promise<void>((resolve) => {
      proc.on("close", () => resolve());
      proc.on("error", () => resolve());
    });
    this.followers.set(containerId, { proc, out, done });
    return file;
  }

  /**
   * Waits up to `graceMs` for the followers to end by themselves (they do once their container
   * is removed), then stops the rest and closes the files.
   */
  async close(graceMs = 3_000): Promise<void> {
    const all = [...this.followers.values()];
    this.followers.clear();
    await Promise.race([Promise.all(all.map((f) => f.done)), new Promise((r) => setTimeout(r, graceMs))]);
    for (const f of all) if (f.proc.exitCode === null && f.proc.signalCode === null) f.proc.kill("SIGTERM");
    await Promise.all(all.map((f) => f.done));
    await Promise.all(all.map((f) => new Promise<void>((r) => f.out.end(() => r()))));
  }
}

// `rtsoak doctor`: which k6 and which replica components this machine has.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ensureK6, whichOnPath } from "../k6/provision.ts";
import { K6_MIN_VERSION } from "../k6/version.ts";

const run = promisify(execFile);

async function versionLine(cmd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: 10_000 });
    return (stdout || stderr).trim().split("\n")[0];
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const text = (e.stderr || e.stdout || "").trim();
    return text ? text.split("\n")[0] : null;
  }
}

export interface DoctorOptions {
  /** Install k6 when missing (default true). */
  install?: boolean;
}

export async function doctorCommand(opts: DoctorOptions, out: (line: string) => void = console.log): Promise<number> {
  const k6 = await ensureK6((line) => out(line));
  out(`k6          ${k6.version} (${k6.source}: ${k6.path}; minimum ${K6_MIN_VERSION})`);
  const checks: Array<[string, string, string[], string]> = [
    ["nginx", "nginx", ["-v"], "apt-get install -y nginx-light"],
    ["haproxy", "haproxy", ["-v"], "apt-get install -y haproxy"],
    ["redis", "redis-server", ["--version"], "apt-get install -y redis-server"],
    ["gunicorn", "/usr/bin/gunicorn", ["--version"], "apt-get install -y gunicorn python3-flask-socketio python3-gevent python3-gevent-websocket python3-redis"],
    ["docker", "docker", ["info", "--format", "{{.ServerVersion}}"], "bash scripts/docker-setup.sh (needed only for --stack compose)"],
  ];
  for (const [label, cmd, args, fix] of checks) {
    const found = cmd.startsWith("/") ? cmd : await whichOnPath(cmd, ["/usr/sbin", "/sbin"]);
    const version = found ? await versionLine(found, args) : null;
    out(`${label.padEnd(11)} ${version ?? `missing — ${fix}`}`);
  }
  return 0;
}

// Loopback ports: pick free ones, check a requested one, and name the process that holds
// a taken one (Linux /proc: listening socket inode → /proc/<pid>/fd → pid and cmdline).
import { createServer } from "node:net";
import { readFile, readdir, readlink } from "node:fs/promises";
import { basename } from "node:path";
import { UserError } from "../errors.ts";

/** A port the kernel considers free on `host` right now (bind to 0, read it, close). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

/** True when nothing prevents a listener on host:port. */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface PortHolder {
  pid: number;
  /** Short command line, e.g. "node dev-server.js". */
  command: string;
}

/** Inodes of sockets listening on `port` (IPv4 and IPv6, any address). */
async function listeningInodes(port: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const [, local, , state] = cols;
      if (state === "0A" && local.endsWith(`:${hexPort}`)) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** A readable command line: program basename plus arguments, shortened. */
export async function commandOf(pid: number, max = 60): Promise<string> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, "utf8");
    const parts = raw.split("\0").filter(Boolean);
    if (parts.length === 0) return (await readFile(`/proc/${pid}/comm`, "utf8")).trim();
    parts[0] = basename(parts[0]);
    const text = parts.join(" ");
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  } catch {
    return "?";
  }
}

/** The process listening on `port`, when /proc lets us see it. */
export async function portHolder(port: number): Promise<PortHolder | undefined> {
  const inodes = await listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(await readlink(`/proc/${pid}/fd/${fd}`))) return { pid, command: await commandOf(pid) };
      } catch {
        // the fd closed while we looked
      }
    }
  }
  return undefined;
}

/** Throws a UserError naming the holder when `port` is taken; `flag` is how the user picks another. */
export async function assertPortFree(port: number, flag = "--port", host = "127.0.0.1"): Promise<void> {
  if (await isPortFree(port, host)) return;
  const holder = await portHolder(port);
  const who = holder ? `pid ${holder.pid} (${holder.command})` : "another process";
  throw new UserError(`port ${port} is taken by ${who}; stop it or pass ${flag} <free port>.`);
}

// JSON-line logger on stdout: {"ts","level","instance","pid","role","event",...fields}.
// A worker holds its lines until the primary has announced it (so the first line of the
// whole app is always the primary's "listening").

export function createLogger({ instance, role }) {
  let held = role === "worker" ? [] : null;
  const write = (line) => {
    if (held) held.push(line);
    else process.stdout.write(line);
  };
  const log = (event, fields = {}, level = "info") => {
    const record = { ts: new Date().toISOString(), level, instance, pid: process.pid, role, event, ...fields };
    write(JSON.stringify(record) + "\n");
  };
  log.release = () => {
    if (!held) return;
    const lines = held;
    held = null;
    for (const line of lines) process.stdout.write(line);
  };
  return log;
}

// A socket.io server inside the test process, for behaviours the reference apps do not
// offer on demand (e.g. refusing every websocket upgrade). `echo` acks its arguments.

import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Server, type ServerOptions } from "socket.io";

export interface InlineServer {
  url: string;
  io: Server;
  close(): Promise<void>;
}

export interface InlineOptions extends Partial<ServerOptions> {
  /** Answer every websocket upgrade of an existing session (`sid=` in the URL) with 403. */
  refuseUpgrades?: boolean;
}

export async function startInlineSio(options: InlineOptions = {}): Promise<InlineServer> {
  const { refuseUpgrades, ...serverOptions } = options;
  const http = createServer();
  const io = new Server(http, serverOptions);
  if (refuseUpgrades) {
    // Take the upgrade event over from engine.io and delegate only what we let through.
    const original = http.listeners("upgrade") as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
    http.removeAllListeners("upgrade");
    http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? "").includes("sid=")) {
        socket.end("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nupgrades refused");
        return;
      }
      for (const l of original) l.call(http, req, socket, head);
    });
  }
  io.on("connection", (socket) => {
    socket.on("echo", (...args: unknown[]) => {
      const ack = args.pop();
      if (typeof ack === "function") ack(...args);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    close: () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}


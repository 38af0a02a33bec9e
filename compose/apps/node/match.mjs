// Plain websocket at /api/match/game?matchId=<id>: a welcome JSON on open, then every
// message from one client goes to all clients of that match in this worker (sender included).

import { WebSocketServer } from "ws";

export const MATCH_PATH = "/api/match/game";

export function createMatchServer({ instance }) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  /** matchId -> Set<WebSocket> */
  const matches = new Map();

  const handleUpgrade = (req, socket, head, url) => {
    const matchId = url.searchParams.get("matchId");
    if (!matchId) {
      socket.end("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nmatchId is required");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      let peers = matches.get(matchId);
      if (!peers) matches.set(matchId, (peers = new Set()));
      peers.add(ws);
      ws.send(JSON.stringify({ type: "welcome", matchId, instance, pid: process.pid, clients: peers.size }));
      ws.on("message", (data, isBinary) => {
        for (const peer of peers) {
          if (peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
        }
      });
      ws.on("error", () => {});
      ws.on("close", () => {
        peers.delete(ws);
        if (peers.size === 0) matches.delete(matchId);
      });
    });
  };
  return { handleUpgrade };
}

// Plain websocket clients on the match endpoint (/api/match/game?matchId=<id>): each
// client joins one of MATCHES match ids, sends a small JSON move every MATCH_SEND_INTERVAL
// and counts what it receives, until the iteration's deadline; then it closes (1000).
// Unexpected closes are ws_close_<code> failures; sockets that never open are network or
// ws_handshake failures.

import exec from "k6/execution";
import { WebSocket as ImportedWebSocket } from "k6/websockets";
import { classifyWsDialError, wsCloseKind } from "./classify.ts";
import { toWsBase, type MatchConfig } from "./config.ts";
import {
  matchMessages,
  matchMessagesSent,
  recordFailure,
  requestTags,
  sessionsLost,
  sessionsOpened,
  tagsOf,
  wsCloses,
} from "./instruments.ts";
import { k6Timers, now, sleepFor } from "./k6-adapters.ts";
import { OP, TAG } from "./metrics.ts";
import { iterationDeadline } from "./sio-run.ts";
import type { TimerId } from "./clock.ts";

// Read once: k6 rebuilds its export table on every access of an imported name.
const WebSocket = ImportedWebSocket;

export async function runMatchIteration(cfg: MatchConfig): Promise<void> {
  const scenario = exec.scenario.name;
  const deadline = iterationDeadline(cfg.sessionMs, cfg.durationMs);
  const clients: Array<Promise<void>> = [];
  for (let i = 0; i < cfg.clientsPerVu; i++) {
    // Spread clients over the matches deterministically (VU and slot), so every match has peers.
    const slot = (exec.vu.idInTest - 1) * cfg.clientsPerVu + i;
    clients.push(runMatchClient(cfg, scenario, deadline, `match-${(slot % cfg.matches) + 1}`));
  }
  await Promise.all(clients);
}

function runMatchClient(cfg: MatchConfig, scenario: string, deadline: number, matchId: string): Promise<void> {
  const delay = cfg.startJitterMs > 0 ? Math.floor(Math.random() * cfg.startJitterMs) : 0;
  if (now() + delay >= deadline) return Promise.resolve();
  return sleepFor(delay).promise.then(
    () =>
      new Promise<void>((resolve) => {
        const tags = tagsOf("websocket", OP.match, scenario);
        const url = `${toWsBase(cfg.target)}${cfg.matchPath}?matchId=${encodeURIComponent(matchId)}`;
        const ws = new WebSocket(url, null, { tags: requestTags("websocket", OP.match, scenario) });
        const filler = "x".repeat(cfg.payloadBytes);
        let opened = false;
        let closing = false;
        let lastError = "";
        let sendTimer: TimerId | null = null;
        let endTimer: TimerId | null = null;
        let seq = 0;
        const clearTimers = () => {
          if (sendTimer !== null) k6Timers.clearTimeout(sendTimer);
          if (endTimer !== null) k6Timers.clearTimeout(endTimer);
          sendTimer = endTimer = null;
        };
        const scheduleSend = () => {
          if (cfg.sendIntervalMs <= 0) return;
          sendTimer = k6Timers.setTimeout(() => {
            sendTimer = null;
            if (closing) return;
            seq++;
            ws.send(JSON.stringify({ type: "move", seq, at: now(), data: filler }));
            matchMessagesSent.add(1, tags);
            scheduleSend();
          }, cfg.sendIntervalMs);
        };
        ws.addEventListener("open", () => {
          opened = true;
          sessionsOpened.add(1, tags);
          scheduleSend();
          endTimer = k6Timers.setTimeout(() => {
            endTimer = null;
            closing = true;
            clearTimers();
            ws.close();
          }, Math.max(0, deadline - now()));
        });
        ws.addEventListener("message", () => {
          matchMessages.add(1, tags);
        });
        ws.addEventListener("error", (ev) => {
          lastError = String((ev as { error?: string }).error ?? "");
        });
        ws.addEventListener("close", (ev) => {
          clearTimers();
          const code = (ev as unknown as { code?: number }).code;
          if (!opened) {
            recordFailure(classifyWsDialError(lastError), "websocket", OP.match, scenario);
          } else {
            wsCloses.add(1, { ...tags, [TAG.code]: String(code ?? 1005) });
            if (!closing) {
              const kind = wsCloseKind(code);
              recordFailure(kind, "websocket", OP.match, scenario);
              sessionsLost.add(1, { ...tags, [TAG.kind]: kind });
            }
          }
          resolve();
        });
      }),
  );
}

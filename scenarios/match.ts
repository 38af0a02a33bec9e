// Scenario "match": plain websocket clients on /api/match/game?matchId=<id>, sending and
// receiving small JSON messages (no Socket.IO).
// Environment variables: see scenarios/README.md.
import { loadMatchConfig } from "./lib/config.ts";
import { runMatchIteration } from "./lib/match.ts";
import { buildOptions } from "./lib/options.ts";

const cfg = loadMatchConfig(__ENV);

export const options = buildOptions({ match: cfg });

export default async function (): Promise<void> {
  await runMatchIteration(cfg);
}

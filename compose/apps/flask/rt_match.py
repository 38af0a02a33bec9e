"""Plain websocket at /api/match/game?matchId=<id> (gevent-websocket): a welcome JSON on
open, then every message from one client goes to all clients of that match in this
worker, the sender included."""

import json
import os

MATCH_PATH = "/api/match/game"

_matches = {}  # matchId -> set of websockets


def serve(ws, match_id, instance):
    peers = _matches.setdefault(match_id, set())
    peers.add(ws)
    try:
        ws.send(json.dumps({"type": "welcome", "matchId": match_id, "instance": instance, "pid": os.getpid(), "clients": len(peers)}))
        while True:
            message = ws.receive()
            if message is None:
                break
            for peer in list(peers):
                try:
                    peer.send(message)
                except Exception:
                    peers.discard(peer)
    finally:
        peers.discard(ws)
        if not peers:
            _matches.pop(match_id, None)

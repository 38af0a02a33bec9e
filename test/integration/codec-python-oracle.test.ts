// Differential test against the Python side of the incident stack: python-engineio and
// python-socketio's own packet classes (Debian's /usr/bin/python3) encode what our codecs
// decode, and decode what our codecs encode. Python's JSON differs in spelling (ASCII
// escapes, float exponents), so Socket.IO packets are compared by meaning, not by bytes.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decodePacket, decodePayload, encodePacket, encodePayload, type EioPacket } from "../../scenarios/lib/engineio.ts";
import { SioDecoder, encodeSioPacket, type SioPacket } from "../../scenarios/lib/socketio.ts";
import { revive, toWire } from "../support/binary-json.ts";
import { Gen, normalizeBinary } from "../unit/codec-gen.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./fixtures/python_codec_oracle.py", import.meta.url));

function pythonHasSocketio(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ["-c", "import engineio.packet, socketio.packet"], { timeout: 30_000 }).status === 0;
}

const HAVE_PYTHON = pythonHasSocketio();

/** A decoded packet as any decoder reports it: binary types folded into EVENT / ACK. */
function meaning(packet: { type: number; nsp: string; id?: number; data?: unknown }): unknown {
  const p: Record<string, unknown> = { type: packet.type === 5 ? 2 : packet.type === 6 ? 3 : packet.type, nsp: packet.nsp };
  if (packet.id !== undefined && packet.id !== null) p.id = packet.id;
  if (packet.data !== undefined && packet.data !== null) p.data = packet.data;
  return normalizeBinary(p);
}

interface PythonAnswer {
  eioEncoded: Array<{ ws: unknown; poll: string }>;
  eioPayloads: string[];
  eioDecodedPayloads: Array<Array<{ type: string; binary: unknown; record: string }>>;
  sioEncoded: unknown[][];
  sioDecoded: Array<Record<string, unknown>>;
}

function askPython(request: unknown): PythonAnswer {
  const result = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(request), timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python oracle failed (${result.status}): ${String(result.stderr)}`);
  return JSON.parse(String(result.stdout)) as PythonAnswer;
}

describe.skipIf(!HAVE_PYTHON)("codecs vs python-engineio / python-socketio (Debian's /usr/bin/python3)", () => {
  const g = new Gen(0x9e7);
  const eioPackets: EioPacket[] = Array.from({ length: 1000 }, () => g.eioPacket(false));
  // python-engineio refuses payloads of more than 16 packets; the generator stays under 9.
  const payloads: EioPacket[][] = Array.from({ length: 300 }, () => Array.from({ length: g.int(1, 8) }, () => g.eioPacket(true)));
  // python-socketio strips "?query" from namespaces: keep "?" out of generated ones.
  const sioPackets: SioPacket[] = [];
  while (sioPackets.length < 2000) {
    const p = g.sioPacket();
    if (p.nsp.indexOf("?") === -1) sioPackets.push(p);
  }
  const answer = HAVE_PYTHON
    ? askPython({
        eioEncode: eioPackets.map(toWire),
        eioPayloadEncode: payloads.map(toWire),
        eioPayloadDecode: payloads.map((ps) => encodePayload(ps)),
        sioEncode: sioPackets.map(toWire),
        sioDecode: sioPackets.map((p) => toWire(encodeSioPacket(p))),
      })
    : null;

  it("engine.io packets: ours encode exactly as python-engineio, and decode its output", () => {
    eioPackets.forEach((packet, i) => {
      const py = answer!.eioEncoded[i];
      const pyWs = revive(py.ws) as string | ArrayBuffer;
      expect(normalizeBinary(encodePacket(packet, true)), `case ${i}`).toEqual(normalizeBinary(pyWs));
      expect(encodePacket(packet, false), `case ${i}`).toBe(py.poll);
      expect(normalizeBinary(decodePacket(pyWs)), `case ${i}`).toEqual(normalizeBinary(packet));
      expect(normalizeBinary(decodePacket(py.poll)), `case ${i}`).toEqual(normalizeBinary(packet));
    });
  });

  it("engine.io payloads: same body as python-engineio both ways", () => {
    payloads.forEach((packets, i) => {
      expect(encodePayload(packets), `body ${i}`).toBe(answer!.eioPayloads[i]);
      expect(normalizeBinary(decodePayload(answer!.eioPayloads[i])), `body ${i}`).toEqual(normalizeBinary(packets));
      const pyDecoded = answer!.eioDecodedPayloads[i];
      expect(pyDecoded.map((p) => p.type), `body ${i}`).toEqual(packets.map((p) => p.type));
      pyDecoded.forEach((p, k) => {
        if (p.binary !== null) expect(normalizeBinary(revive(p.binary))).toEqual(normalizeBinary(packets[k].data));
      });
    });
  });

  it("socket.io: ours-encode -> python-decode == input (namespaces, ack ids, attachments)", () => {
    let binaries = 0;
    sioPackets.forEach((packet, i) => {
      const py = answer!.sioDecoded[i];
      expect(py.error, `case ${i}: ${String(encodeSioPacket(packet)[0])}`).toBeUndefined();
      if (py.type === 5 || py.type === 6) binaries++;
      expect(meaning(revive(py) as SioPacket), `case ${i}`).toEqual(meaning(packet));
    });
    expect(binaries).toBeGreaterThan(100);
  });

  it("socket.io: python-encode -> ours-decode == input", () => {
    sioPackets.forEach((packet, i) => {
      const parts = revive(answer!.sioEncoded[i]) as Array<string | ArrayBuffer>;
      const decoder = new SioDecoder();
      let last: SioPacket | null = null;
      parts.forEach((part, k) => {
        last = decoder.add(part);
        if (k < parts.length - 1) expect(last).toBeNull();
      });
      expect(meaning(last!), `case ${i}: ${String(parts[0])}`).toEqual(meaning(packet));
    });
  });

  it("python's ASCII-escaped JSON decodes to the same text", () => {
    // A spot check that the comparison above really saw Python's own spelling.
    const escaped = answer!.sioEncoded.find((parts) => typeof parts[0] === "string" && /\\u[0-9a-f]{4}/.test(parts[0]));
    expect(escaped).toBeDefined();
  });
});

// Engine.IO long-polling over k6/http's asyncRequest, overlapping like a real client:
// one GET poll pending at all times (never two: Node closes a session that tries), and
// POSTs of queued packets beside it, one POST at a time, at most 16 packets each
// (python-engineio silently drops bigger batches). A POST must answer ok (Node) / OK (Python).

import http, { type RefinedResponse } from "k6/http";
import { classifyHttp, isPostOk } from "../classify.ts";
import { decodePayload, encodePayload, type EioPacket } from "../engineio.ts";
import { requestTags } from "../instruments.ts";
import { FAILURE, OP } from "../metrics.ts";
import { engineQuery, type Transport, type TransportEnd, type TransportHandlers } from "./types.ts";

/** python-engineio drops a POST payload of more than 16 packets. */
export const MAX_POST_BATCH = 16;

export interface PollingOptions {
  /** http(s)://host:port/socket.io/ */
  endpoint: string;
  sid: string;
  /** Client timeout of a GET poll: must exceed pingInterval + pingTimeout. */
  pollTimeoutMs: number;
  /** Timeout of a POST. */
  postTimeoutMs: number;
  scenario: string;
}

type TextResponse = RefinedResponse<"text">;

function headerOf(res: TextResponse, name: string): string | undefined {
  const headers = res.headers as Record<string, string> | undefined;
  if (!headers) return undefined;
  if (headers[name] !== undefined) return headers[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) return headers[k];
  return undefined;
}

/** Failure kind of a polling answer that is not a 200 (or no answer), with a detail for logs. */
export function failureOf(res: TextResponse): TransportEnd {
  const kind = classifyHttp({
    status: res.status,
    body: typeof res.body === "string" ? res.body : null,
    contentType: headerOf(res, "Content-Type"),
    error: res.error,
  });
  const detail = res.status ? `HTTP ${res.status} ${String(res.body ?? "").slice(0, 120)}` : res.error || "no answer";
  return { failure: kind ?? FAILURE.protocolError, detail };
}

/** A request that never produced a response object (k6 threw): a network failure. */
function thrownEnd(err: unknown): TransportEnd {
  return { failure: FAILURE.network, detail: String(err) };
}

export class PollingTransport implements Transport {
  private handlers: TransportHandlers;
  private readonly queue: EioPacket[] = [];
  private polling = false;
  private posting = false;
  private paused = false;
  /** The client asked to stop: queued packets still go out, nothing new starts. */
  private stopping = false;
  /** onEnd has fired; answers arriving later are ignored. */
  private ended = false;
  /** Created by the first pause() (declared without a value: no property until then). */
  private pauseWaiters?: Array<() => void>;

  constructor(
    private readonly opts: PollingOptions,
    handlers: TransportHandlers,
  ) {
    this.handlers = handlers;
  }

  get name(): "polling" {
    return "polling";
  }

  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  /** Starts the poll loop. */
  start(): void {
    this.poll();
  }

  send(packets: EioPacket[]): void {
    if (this.ended || this.stopping) return;
    for (const p of packets) this.queue.push(p);
    this.flush();
  }

  /**
   * Stops issuing polls and POSTs and resolves once none is in flight (the server releases
   * the pending GET with a noop once the websocket probe succeeded), or once the transport
   * ended. Packets sent meanwhile wait in the queue.
   */
  pause(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.paused = true;
    return new Promise((resolve) => {
      if (this.pauseWaiters) this.pauseWaiters.push(resolve);
      else this.pauseWaiters = [resolve];
      this.checkPaused();
    });
  }

  /** Undoes pause (the upgrade failed): polling and posting carry on. */
  resume(): void {
    if (this.ended || this.stopping) return;
    this.paused = false;
    this.poll();
    this.flush();
  }

  /** Takes the queued packets out, for handing over to the websocket after an upgrade. */
  drainQueue(): EioPacket[] {
    return this.queue.splice(0, this.queue.length);
  }

  /**
   * Client-initiated stop. Queued packets (e.g. the close packet) are still POSTed, no new
   * poll starts, and onEnd({}) fires once the last POST is answered. The pending GET cannot
   * be aborted in k6: its answer, when it comes, is ignored.
   */
  stop(): void {
    if (this.ended || this.stopping) return;
    this.stopping = true;
    this.paused = false;
    this.releasePauseWaiters();
    this.flush();
    this.endIfStopped();
  }

  /** The websocket took over: forget this transport without a word (no onEnd, no POSTs). */
  detach(): void {
    this.ended = true;
    this.queue.length = 0;
    this.releasePauseWaiters();
  }

  private get endpointUrl(): string {
    return `${this.opts.endpoint}?${engineQuery("polling", this.opts.sid)}`;
  }

  // ---------------------------------------------------------------- GET poll loop

  private poll(): void {
    if (this.ended || this.stopping || this.paused || this.polling) return;
    this.polling = true;
    const params = {
      tags: requestTags("polling", OP.poll, this.opts.scenario),
      timeout: this.opts.pollTimeoutMs,
      responseType: "text" as const,
    };
    http.asyncRequest("GET", this.endpointUrl, null, params).then(
      (res) => this.onPollAnswer(res),
      (err) => {
        this.polling = false;
        this.fail(thrownEnd(err));
      },
    );
  }

  private onPollAnswer(res: TextResponse): void {
    this.polling = false;
    if (this.ended || this.stopping) return;
    if (res.status !== 200) {
      this.fail(failureOf(res));
      return;
    }
    const body = typeof res.body === "string" ? res.body : "";
    if (body === "") {
      // python-engineio answers the pending poll of a session it closed with an empty 200.
      this.fail({ failure: FAILURE.serverClose, detail: "empty poll answer" });
      return;
    }
    for (const packet of decodePayload(body)) {
      if (this.ended || this.stopping) return;
      this.handlers.onPacket(packet, this);
    }
    if (this.ended || this.stopping) return;
    this.checkPaused();
    this.poll();
  }

  // ---------------------------------------------------------------- POST queue

  private flush(): void {
    if (this.ended || this.posting || this.queue.length === 0) return;
    if (this.paused && !this.stopping) return;
    const batch = this.queue.splice(0, MAX_POST_BATCH);
    this.posting = true;
    const params = {
      tags: requestTags("polling", OP.post, this.opts.scenario),
      timeout: this.opts.postTimeoutMs,
      responseType: "text" as const,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    };
    http.asyncRequest("POST", this.endpointUrl, encodePayload(batch), params).then(
      (res) => this.onPostAnswer(res),
      (err) => {
        this.posting = false;
        this.fail(thrownEnd(err));
      },
    );
  }

  private onPostAnswer(res: TextResponse): void {
    this.posting = false;
    if (this.ended) return;
    if (res.status !== 200) {
      this.fail(failureOf(res));
      return;
    }
    if (!isPostOk(typeof res.body === "string" ? res.body : null)) {
      this.fail({ failure: FAILURE.protocolError, detail: `POST answered ${String(res.body).slice(0, 60)}` });
      return;
    }
    this.checkPaused();
    this.flush();
    this.endIfStopped();
  }

  // ---------------------------------------------------------------- ending

  /** A request failed. While running, that ends the session's use of this transport. */
  private fail(end: TransportEnd): void {
    if (this.ended) return;
    if (this.stopping) {
      // The client was closing anyway: the failure of its last POST is not a session loss.
      this.queue.length = 0;
      this.endIfStopped();
      return;
    }
    this.ended = true;
    this.queue.length = 0;
    this.releasePauseWaiters();
    this.handlers.onEnd(end, this);
  }

  private endIfStopped(): void {
    if (this.ended || !this.stopping || this.posting || this.queue.length > 0) return;
    this.ended = true;
    this.handlers.onEnd({}, this);
  }

  private checkPaused(): void {
    if (this.paused && !this.polling && !this.posting) this.releasePauseWaiters();
  }

  private releasePauseWaiters(): void {
    const waiters = this.pauseWaiters;
    if (!waiters || waiters.length === 0) return;
    this.pauseWaiters = [];
    for (const w of waiters) w();
  }
}

/** Result of the polling handshake: the open packet's packets, or how it failed. */
export type HandshakeAnswer = { ok: true; packets: EioPacket[] } | { ok: false; end: TransportEnd };

/** GET …?EIO=4&transport=polling: the first request of a polling session. */
export async function pollingHandshake(endpoint: string, timeoutMs: number, scenario: string): Promise<HandshakeAnswer> {
  const params = {
    tags: requestTags("polling", OP.handshake, scenario),
    timeout: timeoutMs,
    responseType: "text" as const,
  };
  let res: TextResponse;
  try {
    res = await http.asyncRequest("GET", `${endpoint}?${engineQuery("polling")}`, null, params);
  } catch (err) {
    return { ok: false, end: thrownEnd(err) };
  }
  if (res.status !== 200) return { ok: false, end: failureOf(res) };
  const body = typeof res.body === "string" ? res.body : "";
  if (body === "") return { ok: false, end: { failure: FAILURE.protocolError, detail: "empty handshake answer" } };
  return { ok: true, packets: decodePayload(body) };
}

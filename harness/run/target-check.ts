// Before loading a user-named target: is anything answering there at all?
// node:http, not fetch: fetch refuses the WHATWG "bad ports" (6000, 6665-6669, 10080, …) with
// a bare TypeError, which would report a live service as dead.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { UserError } from "../errors.ts";

export async function checkTargetAnswers(target: string, timeoutMs = 5_000): Promise<void> {
  const url = new URL(`${target}/socket.io/?EIO=4&transport=polling&t=rtsoak-check`);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const problem = await new Promise<string | null>((resolve) => {
    // Any HTTP answer will do (a 400 or 404 still proves something listens); certificates are
    // the user's business here, k6 checks them itself.
    const req = request(url, { method: "GET", timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      resolve(null);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? "";
      resolve(
        code === "ECONNREFUSED"
          ? "connection refused"
          : code === "TIMEOUT"
            ? `no answer within ${timeoutMs / 1000} s`
            : code === "ENOTFOUND" || code === "EAI_AGAIN"
              ? `host ${url.hostname} not found`
              : `${code || err.name}: ${err.message.split("\n")[0].trim().slice(0, 120)}`,
      );
    });
    req.end();
  });
  if (problem) throw new UserError(`nothing answers at ${target} (${problem}); start your service there or fix --target.`);
}

// Before loading a user-named target: is anything answering there at all?
import { UserError } from "../errors.ts";

export async function checkTargetAnswers(target: string, timeoutMs = 5_000): Promise<void> {
  const url = `${target}/socket.io/?EIO=4&transport=polling&t=rtsoak-check`;
  try {
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    const why =
      cause === "ECONNREFUSED"
        ? "connection refused"
        : cause === "TimeoutError" || cause === "UND_ERR_CONNECT_TIMEOUT"
          ? `no answer within ${timeoutMs / 1000} s`
          : String(cause);
    throw new UserError(`nothing answers at ${target} (${why}); start your service there or fix --target.`);
  }
}

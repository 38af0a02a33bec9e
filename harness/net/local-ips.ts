// Source addresses for one load generator: nginx `ip_hash` keys on the first three octets
// of an IPv4 address, so every address differs in the third octet (127.0.1.1, 127.0.2.1, …,
// 127.1.0.1, …). The whole of 127.0.0.0/8 answers on loopback, so any of them can connect.
import { UserError } from "../errors.ts";

/** Largest count: every (second, third) octet pair except 127.0.0.x. */
export const MAX_LOCAL_IPS = 256 * 256 - 1;

/** `count` loopback addresses, each on its own /24: 127.0.1.1, 127.0.2.1, … */
export function localIpList(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_LOCAL_IPS) {
    throw new UserError(`the number of source addresses must be a whole number from 1 to ${MAX_LOCAL_IPS}, got ${count}; pass a count in that range.`);
  }
  const ips: string[] = [];
  for (let i = 1; i <= count; i++) ips.push(`127.${i >> 8}.${i & 255}.1`);
  return ips;
}

/**
 * The same addresses as a k6 `--local-ips` value. k6 (lib/types/ipblock.go) takes a comma
 * separated list of single IPs, `a-b` ranges and CIDRs with no spaces; a range is contiguous,
 * so addresses that differ in the third octet must be listed one by one. k6 gives VU n the
 * address at index (n-1) modulo the list length.
 */
export function localIps(count: number): string {
  return localIpList(count).join(",");
}

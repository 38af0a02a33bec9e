// Source addresses for k6 --local-ips: distinct /24s so nginx ip_hash spreads them.
import { describe, expect, it } from "vitest";
import { UserError } from "../../harness/errors.ts";
import { localIpList, localIps, MAX_LOCAL_IPS } from "../../harness/net/local-ips.ts";

describe("localIps", () => {
  it("gives 127.x.y.1 addresses that differ in the first three octets", () => {
    const ips = localIpList(300);
    expect(ips.slice(0, 3)).toEqual(["127.0.1.1", "127.0.2.1", "127.0.3.1"]);
    expect(ips[254]).toBe("127.0.255.1");
    expect(ips[255]).toBe("127.1.0.1");
    const prefixes = new Set(ips.map((ip) => ip.split(".").slice(0, 3).join(".")));
    expect(prefixes.size).toBe(300);
    for (const ip of ips) expect(ip).toMatch(/^127\.\d{1,3}\.\d{1,3}\.1$/);
  });

  it("is a comma-separated list without spaces (k6 splits on ',' and parses each as IP, range or CIDR)", () => {
    expect(localIps(3)).toBe("127.0.1.1,127.0.2.1,127.0.3.1");
    expect(localIps(1)).toBe("127.0.1.1");
  });

  it("never hands out 127.0.0.x and covers the whole range", () => {
    const ips = localIpList(MAX_LOCAL_IPS);
    expect(ips).toHaveLength(MAX_LOCAL_IPS);
    expect(ips.some((ip) => ip.startsWith("127.0.0."))).toBe(false);
    expect(ips.at(-1)).toBe("127.255.255.1");
  });

  it("refuses counts it cannot give", () => {
    for (const bad of [0, -1, 1.5, MAX_LOCAL_IPS + 1]) expect(() => localIps(bad)).toThrow(UserError);
  });
});

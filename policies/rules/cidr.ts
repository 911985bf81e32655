/**
 * CIDR arithmetic for "is this the internet?": a set of CIDRs is the internet when its union,
 * minus the non-public ranges (RFC 1918, CGNAT, loopback, link-local, multicast, reserved; for
 * IPv6: unique-local, link-local, loopback, multicast), still holds one contiguous public range
 * broader than a configured prefix. So 0.0.0.0/1 + 128.0.0.0/1, or a public /8, count as open;
 * 10.0.0.0/8 or one office /28 do not.
 */

interface Range {
  start: bigint;
  end: bigint; // inclusive
}

export type Family = 4 | 6;

function parseV4(addr: string): bigint | undefined {
  const parts = addr.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256n + BigInt(p);
  }
  return n;
}

function parseV6(addr: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(addr)) return undefined;
  const halves = addr.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) + BigInt(parseInt(g, 16));
  }
  return n;
}

/** A CIDR as an address range; undefined when unreadable. */
export function parseCidr(cidr: string): { family: Family; range: Range } | undefined {
  const [addr, len] = cidr.trim().split("/");
  const family: Family = addr.includes(":") ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const prefix = len === undefined ? bits : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const base = family === 4 ? parseV4(addr) : parseV6(addr);
  if (base === undefined) return undefined;
  const size = 1n << BigInt(bits - prefix);
  const start = (base / size) * size;
  return { family, range: { start, end: start + size - 1n } };
}

const NON_PUBLIC: Record<Family, string[]> = {
  4: [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
  ],
  6: ["::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8"],
};

function union(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) {
      if (r.end > last.end) last.end = r.end;
    } else out.push({ ...r });
  }
  return out;
}

function subtract(ranges: Range[], holes: Range[]): Range[] {
  let out = ranges;
  for (const h of holes) {
    out = out.flatMap((r) => {
      if (h.end < r.start || h.start > r.end) return [r];
      const pieces: Range[] = [];
      if (h.start > r.start) pieces.push({ start: r.start, end: h.start - 1n });
      if (h.end < r.end) pieces.push({ start: h.end + 1n, end: r.end });
      return pieces;
    });
  }
  return out;
}

export interface Broadness {
  /** Longest prefix that still counts as "the internet" when public (IPv4 and IPv6). */
  ipv4Prefix: number;
  ipv6Prefix: number;
}

/**
 * Whether the CIDRs together open a public range broader than the configured prefix (for
 * `ipv4Prefix: 24`, more addresses than a /24 in one contiguous public block). Unreadable
 * entries count as open: a policy cannot vouch for what it cannot read.
 */
export function opensInternet(cidrs: string[], limits: Broadness): boolean {
  for (const family of [4, 6] as const) {
    const parsed = cidrs.map(parseCidr);
    if (parsed.some((p) => p === undefined)) return true;
    const ranges = parsed.filter((p) => p!.family === family).map((p) => p!.range);
    if (ranges.length === 0) continue;
    const holes = NON_PUBLIC[family].map((c) => parseCidr(c)!.range);
    const bits = family === 4 ? 32 : 128;
    const limit = 1n << BigInt(bits - (family === 4 ? limits.ipv4Prefix : limits.ipv6Prefix));
    if (subtract(union(ranges), holes).some((r) => r.end - r.start + 1n > limit)) return true;
  }
  return false;
}

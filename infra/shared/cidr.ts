/** IPv4 CIDR arithmetic for planning subnets and refusing overlapping networks before any build. */

export interface Cidr {
  base: number;
  prefix: number;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`"${text}" is not an IPv4 CIDR block`);
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0)
    throw new Error(`"${text}" has host bits set (network address is ${format(addr - (addr % size))}/${prefix})`);
  return { base: addr, prefix, text };
}

function format(addr: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(addr / 2 ** s) % 256).join(".");
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.prefix);
  const bEnd = b.base + 2 ** (32 - b.prefix);
  return a.base < bEnd && b.base < aEnd;
}

/** Throws, naming both ranges, if any two of the named ranges overlap. */
export function assertDisjoint(ranges: Record<string, string>): void {
  const entries = Object.entries(ranges).map(([name, text]) => [name, parseCidr(text)] as const);
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [an, a] = entries[i];
      const [bn, b] = entries[j];
      if (overlaps(a, b))
        throw new Error(`${an} ${a.text} overlaps ${bn} ${b.text}: peered networks need disjoint ranges`);
    }
  }
}

/** The `index`-th subnet of `newPrefix` inside `parent`. */
export function subnet(parent: string, newPrefix: number, index: number): string {
  const p = parseCidr(parent);
  if (newPrefix < p.prefix || newPrefix > 28) throw new Error(`cannot cut /${newPrefix} subnets from ${parent}`);
  const count = 2 ** (newPrefix - p.prefix);
  if (index < 0 || index >= count)
    throw new Error(`${parent} holds only ${count} /${newPrefix} subnets (asked for #${index})`);
  return `${format(p.base + index * 2 ** (32 - newPrefix))}/${newPrefix}`;
}

/** The reverse-DNS zone that covers a VPC, at octet granularity: 10.20.0.0/16 → 20.10.in-addr.arpa. */
export function reverseZone(cidr: string): string {
  const c = parseCidr(cidr);
  const octets = Math.max(1, Math.floor(c.prefix / 8));
  return `${format(c.base).split(".").slice(0, octets).reverse().join(".")}.in-addr.arpa`;
}

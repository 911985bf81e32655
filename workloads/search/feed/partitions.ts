/**
 * Where the feed's objects live: `<prefix>YYYY/MM/DD/HH/<name>`, the UTC hour in which the
 * delivery stream wrote them (Firehose's default layout). A window's feed is every object under
 * its hour's prefix; an hour is closed once the delivery stream cannot write to it any more.
 */
const pad = (n: number) => String(n).padStart(2, "0");

export function hourPrefix(prefix: string, hourStart: Date): string {
  const d = hourStart;
  return `${prefix}${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}/`;
}

export function hourOfKey(prefix: string, key: string): Date | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key.slice(prefix.length));
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4])) : undefined;
}

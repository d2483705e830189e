/**
 * Bling's date filters and stamps are São Paulo wall-clock time written without an offset
 * (`YYYY-MM-DD HH:MM:SS`). São Paulo has kept UTC−3 all year since 2019, so the conversion is a fixed shift.
 */
const SAO_PAULO_OFFSET_MS = -3 * 3600_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS` in São Paulo time, truncated to the second (Bling's resolution). */
export function toBlingDateTime(date: Date): string {
  const d = new Date(Math.floor(date.getTime() / 1000) * 1000 + SAO_PAULO_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** `YYYY-MM-DD` in São Paulo time. */
export function toBlingDate(date: Date): string {
  return toBlingDateTime(date).slice(0, 10);
}

/** Reads a Bling stamp (`YYYY-MM-DD[ HH:MM:SS]`, São Paulo time); null when it is not one. */
export function fromBlingDateTime(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  return Number.isNaN(utc) ? null : new Date(utc - SAO_PAULO_OFFSET_MS);
}

/** How times, durations and ids read on screen. Pure, so tests can pin `now`. */

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  return seconds == null ? '—' : formatDuration(seconds * 1000);
}

/** "12 s ago", "in 3 min", or "—". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '—';
  const diff = now - at;
  if (Math.abs(diff) < 1500) return 'just now';
  return diff > 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '—';
  return at.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '—';
  return at.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });
}

/** Time between two instants, or from `from` to now while it is still going. */
export function formatElapsed(
  from: string | null | undefined,
  to: string | null | undefined,
  now = Date.now(),
): string {
  if (!from) return '—';
  const end = to ? Date.parse(to) : now;
  return formatDuration(end - Date.parse(from));
}

export function formatCount(n: number | null | undefined): string {
  return n == null ? '—' : n.toLocaleString();
}

/** A `datetime-local` input's value (local time, minutes) for an instant. */
export function toDateTimeLocal(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Jobs per minute: "12", "1.4", "0.07", "0". */
export function formatRate(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  const digits = n >= 10 ? 0 : n >= 1 ? 1 : 2;
  return String(Number(n.toFixed(digits)));
}

/** A 0–1 ratio as a percentage: "0%", "4.5%", "37%"; "—" when there is none (nothing finished). */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  return `${pct > 0 && pct < 10 ? String(Number(pct.toFixed(1))) : Math.round(pct)}%`;
}

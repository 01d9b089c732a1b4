const DATE_PATTERN = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/;

/**
 * `dd/mm/yy` or `dd/mm/yyyy` to ISO `YYYY-MM-DD`; null when malformed or not a calendar date.
 * Two-digit years pivot at 50: 93 -> 1993, 05 -> 2005 (the data start in 1993).
 */
export function parseFootballDate(raw: string): string | null {
  const m = DATE_PATTERN.exec(raw.trim());
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  let year = Number(m[3]);
  if (m[3]?.length === 2) year += year >= 50 ? 1900 : 2000;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole days from ISO date `a` to ISO date `b` (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

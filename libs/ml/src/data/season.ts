const FILE_SEASON = /(\d{4})-(\d{4})/;

/** Season from a file name like `E0_2023-2024.csv`, if it has one. */
export function seasonFromFileName(fileName: string): string | null {
  const m = FILE_SEASON.exec(fileName);
  if (!m) return null;
  return Number(m[2]) === Number(m[1]) + 1 ? `${m[1]}-${m[2]}` : null;
}

/** English seasons run August to July (July covers the late 2019-20 restart). */
export function seasonFromDate(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const start = month >= 8 ? year : year - 1;
  return `${start}-${start + 1}`;
}

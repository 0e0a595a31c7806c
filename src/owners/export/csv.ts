// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted, quotes doubled.
export function csvLine(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return fields
    .map((f) => {
      const s = f === null || f === undefined ? '' : String(f);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',') + '\r\n';
}

export interface CsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  fields: string[];
}

/**
 * Minimal RFC 4180 parser: quoted fields (with `""` escapes and embedded newlines), LF, CRLF or CR line ends.
 * Returns every physical row, blank ones included, so callers can report accurate line numbers.
 */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;

  const endRow = (): void => {
    fields.push(field);
    rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    rowHasContent = false;
  };

  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      inQuotes = true;
      rowHasContent = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
      rowHasContent = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += ch;
      rowHasContent = true;
    }
  }
  // A final line without a trailing newline still counts; an empty tail after the last newline does not.
  if (rowHasContent || field !== '' || fields.length > 0) endRow();
  return rows;
}

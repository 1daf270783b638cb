// RFC 4180 records as Go's encoding/csv reads them (no lazy quotes, no space trimming, variable field counts),
// since kube's static token file is read with it and the same files must parse the same way here.

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  fields: string[];
}

export class CsvParseError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    reason: string,
  ) {
    super(`parse error on line ${line}, column ${column}: ${reason}`);
  }
}

/** Blank lines are skipped, as Go does; so are lines starting with `comment` when one is given. */
export function parseCsv(text: string, opts: { comment?: string } = {}): CsvRecord[] {
  const src = text.replace(/\r\n/g, '\n');
  const records: CsvRecord[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const newline = (at: number) => {
    line++;
    lineStart = at + 1;
  };

  while (pos < src.length) {
    if (src[pos] === '\n' || (opts.comment !== undefined && src[pos] === opts.comment)) {
      const end = src.indexOf('\n', pos);
      if (end < 0) break;
      newline(end);
      pos = end + 1;
      continue;
    }

    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      if (src[pos] === '"') {
        let value = '';
        pos++;
        for (;;) {
          if (pos >= src.length) throw new CsvParseError(line, pos - lineStart + 1, 'extraneous or missing " in quoted-field');
          if (src[pos] === '"') {
            if (src[pos + 1] !== '"') break;
            value += '"';
            pos += 2;
            continue;
          }
          if (src[pos] === '\n') newline(pos);
          value += src[pos];
          pos++;
        }
        pos++;
        record.fields.push(value);
        if (pos < src.length && src[pos] !== ',' && src[pos] !== '\n') {
          throw new CsvParseError(line, pos - lineStart + 1, 'extraneous or missing " in quoted-field');
        }
      } else {
        let end = pos;
        while (end < src.length && src[end] !== ',' && src[end] !== '\n') end++;
        const value = src.slice(pos, end);
        const quote = value.indexOf('"');
        if (quote >= 0) throw new CsvParseError(line, pos - lineStart + quote + 1, 'bare " in non-quoted-field');
        record.fields.push(value);
        pos = end;
      }
      if (src[pos] !== ',') break;
      pos++;
    }
    records.push(record);
    if (src[pos] === '\n') {
      newline(pos);
      pos++;
    }
  }
  return records;
}

/**
 * A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, commas and line breaks inside
 * quotes, CRLF or LF. It holds one record at a time, so a file of any size streams through; a
 * record longer than the limit is reported and skipped without being kept.
 */

export type CsvEvent =
  { kind: 'record'; fields: string[]; line: number } | { kind: 'error'; line: number; reason: string };

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export async function* parseCsv(
  chunks: AsyncIterable<string> | Iterable<string>,
  maxRecordChars = 1_000_000,
): AsyncGenerator<CsvEvent> {
  let state: State = State.FieldStart;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let recordChars = 0;
  let recordError: string | undefined;
  let skipLineFeed = false;
  let recordHasContent = false;

  const endField = (): void => {
    fields.push(field);
    field = '';
  };
  const takeRecord = (): CsvEvent | undefined => {
    const event: CsvEvent | undefined = recordError
      ? { kind: 'error', line: recordLine, reason: recordError }
      : recordHasContent
        ? { kind: 'record', fields, line: recordLine }
        : undefined;
    fields = [];
    field = '';
    recordChars = 0;
    recordError = undefined;
    recordHasContent = false;
    state = State.FieldStart;
    return event;
  };
  /** Appends a run of characters to the field, unless the record is already too long. */
  const append = (text: string): void => {
    recordChars += text.length;
    if (recordChars > maxRecordChars) {
      recordError ??= `row longer than ${maxRecordChars} characters`;
      field = '';
      return;
    }
    if (!recordError) field += text;
  };

  for await (const chunk of chunks) {
    const length = chunk.length;
    let index = 0;
    while (index < length) {
      const char = chunk[index]!;
      if (skipLineFeed) {
        skipLineFeed = false;
        if (char === '\n') {
          index += 1;
          continue;
        }
      }
      if (state === State.Quoted) {
        // Copy everything up to the next quote in one run.
        const quote = chunk.indexOf('"', index);
        const runEnd = quote === -1 ? length : quote;
        const run = chunk.slice(index, runEnd);
        for (let at = run.indexOf('\n'); at !== -1; at = run.indexOf('\n', at + 1)) line += 1;
        append(run);
        if (quote !== -1) state = State.QuoteInQuoted;
        index = runEnd + 1;
        continue;
      }
      const isBreak = char === '\n' || char === '\r';
      if (state === State.QuoteInQuoted) {
        if (char === '"') {
          append('"');
          state = State.Quoted;
          index += 1;
          continue;
        }
        if (char !== ',' && !isBreak) {
          recordError ??= 'unexpected character after a closing quote';
          state = State.Unquoted;
          index += 1;
          continue;
        }
        // A closing quote followed by a delimiter or line break ends the field as usual.
      }
      if (char === ',') {
        recordHasContent = true;
        endField();
        state = State.FieldStart;
        index += 1;
        continue;
      }
      if (isBreak) {
        if (char === '\r') skipLineFeed = true;
        if (recordHasContent || field !== '' || state !== State.FieldStart) {
          recordHasContent = true;
          endField();
        }
        const event = takeRecord();
        if (event) yield event;
        line += 1;
        recordLine = line;
        index += 1;
        continue;
      }
      recordHasContent = true;
      if (state === State.FieldStart && char === '"') {
        state = State.Quoted;
        index += 1;
        continue;
      }
      // An unquoted run: up to the next delimiter or line break (a stray quote is kept as text).
      state = State.Unquoted;
      let runEnd = index + 1;
      while (runEnd < length) {
        const next = chunk[runEnd];
        if (next === ',' || next === '\n' || next === '\r') break;
        runEnd += 1;
      }
      append(chunk.slice(index, runEnd));
      index = runEnd;
    }
  }
  if (state === State.Quoted) {
    recordError ??= 'unterminated quoted field';
    recordHasContent = true;
  }
  if (recordHasContent || field !== '') {
    recordHasContent = true;
    endField();
  }
  const last = takeRecord();
  if (last) yield last;
}

/** Splits text chunks into lines (LF or CRLF), streaming; over-long lines are reported, not kept. */
export async function* splitLines(
  chunks: AsyncIterable<string> | Iterable<string>,
  maxLineChars = 1_000_000,
): AsyncGenerator<{ line: number; text?: string; error?: string }> {
  let pending = '';
  let tooLong = false;
  let line = 1;
  const finish = (text: string) => {
    const result = tooLong
      ? { line, error: `line longer than ${maxLineChars} characters` }
      : { line, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    tooLong = false;
    line += 1;
    return result;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      if (newline === -1) {
        if (!tooLong) pending += chunk.slice(start);
        if (pending.length > maxLineChars) {
          tooLong = true;
          pending = '';
        }
        break;
      }
      const text = tooLong ? '' : pending + chunk.slice(start, newline);
      pending = '';
      if (text.length > maxLineChars) tooLong = true;
      yield finish(text);
      start = newline + 1;
    }
  }
  if (pending !== '' || tooLong) yield finish(pending);
}

/** Decodes a byte stream as UTF-8, chunk by chunk (a character split across chunks survives). */
export async function* decodeUtf8(
  bytes: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

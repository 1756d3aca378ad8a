/**
 * Character classes and accent folding by table instead of Unicode regexes: the text pipeline
 * looks at every character several times, and `[^\p{L}\p{N}]`-style regexes and whole-text
 * `normalize('NFD')` dominated its cost. Each table entry is computed once, on first sight of the
 * character, with exactly those regexes, so the results are the same as theirs.
 */

/** 32-bit FNV-1a of the UTF-16 code units `text[start, end)`, read where they sit (no slice). */
export function fnv1a(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Character class: a letter (\p{L}), a number (\p{N}), a combining mark (\p{M}) or anything else. */
export const LETTER = 1;
export const NUMBER = 2;
export const MARK = 3;
export const OTHER = 4;
export type CharClass = typeof LETTER | typeof NUMBER | typeof MARK | typeof OTHER;

const classes = new Uint8Array(0x10000);
const astralClasses = new Map<number, CharClass>();

function classOfChar(char: string): CharClass {
  if (/\p{L}/u.test(char)) return LETTER;
  if (/\p{N}/u.test(char)) return NUMBER;
  if (/\p{M}/u.test(char)) return MARK;
  return OTHER;
}

/** Class of a code point (surrogate halves on their own are OTHER, as the regexes see them). */
export function charClass(codePoint: number): CharClass {
  if (codePoint < 0x10000) {
    let value = classes[codePoint]!;
    if (value === 0) classes[codePoint] = value = classOfChar(String.fromCharCode(codePoint));
    return value as CharClass;
  }
  let value = astralClasses.get(codePoint);
  if (value === undefined)
    astralClasses.set(codePoint, (value = classOfChar(String.fromCodePoint(codePoint))));
  return value;
}

/**
 * Number of UTF-16 code units in letters (\p{L}), as `text.replace(/[^\p{L}]+/gu, '').length`;
 * with `enough`, counting stops once that many are seen (the result is then `enough` or more).
 */
export function letterCount(text: string, enough = Infinity): number {
  let letters = 0;
  for (let i = 0; i < text.length && letters < enough; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if ((code | 0x20) >= 97 && (code | 0x20) <= 122) letters++;
      continue;
    }
    const point = code >= 0xd800 && code < 0xdc00 ? (text.codePointAt(i) ?? code) : code;
    const width = point > 0xffff ? 2 : 1;
    if (charClass(point) === LETTER) letters += width;
    i += width - 1;
  }
  return letters;
}

/**
 * `text.toLowerCase()`, remembered for the last text: the pipeline lower-cases the same redacted
 * text for its language votes and for its words (and, when nothing was redacted, for PII cues),
 * and toLowerCase goes through ICU for any text with a character beyond Latin-1 (€, ’).
 */
export function lowerCase(text: string): string {
  if (text !== lastText) {
    lastLower = text.toLowerCase();
    lastText = text;
  }
  return lastLower;
}
let lastText = '';
let lastLower = '';

// ---------- folding ----------

/**
 * How a lower-case character folds (NFD, combining marks removed, ß → ss), the way `foldText`
 * folds whole texts: KEEP (a word character, unchanged), DROP (folds to nothing: a mark, inside a
 * word), SPLIT (not a word character), MAP (a word character with a different folded form,
 * in `foldedForms`), or MIXED (folds to word and non-word characters: the caller falls back).
 */
const KEEP = 1;
const DROP = 2;
const SPLIT = 3;
const MAP = 4;
const MIXED = 5;
const folds = new Uint8Array(0x10000);
const foldedForms = new Map<number, string>();

function isWordChar(char: string): boolean {
  return /[\p{L}\p{N}]/u.test(char);
}

function foldKindOf(codePoint: number): number {
  const char = String.fromCodePoint(codePoint);
  const folded = char
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss');
  if (folded === '') return DROP;
  const chars = [...folded];
  const words = chars.filter(isWordChar).length;
  if (words === 0) return SPLIT;
  if (words < chars.length) return MIXED;
  if (folded === char) return KEEP;
  foldedForms.set(codePoint, folded);
  return MAP;
}

function foldKind(codePoint: number): number {
  if (codePoint < 0x10000) {
    let value = folds[codePoint]!;
    if (value === 0) folds[codePoint] = value = foldKindOf(codePoint);
    return value;
  }
  return foldKindOf(codePoint);
}

export interface FoldedWords {
  words: string[];
  /** The words joined by single spaces. */
  joined: string;
}

/**
 * The folded characters of the words and the spaces between them, as UTF-16 code units: decoded
 * once into the joined string, of which the words are slices. `Array.prototype.join` costs about
 * 30 ns a word (2.7 µs for a 500-character text); writing the code units costs a fifth of that.
 */
let units = new Uint16Array(1024);
let latin1 = Buffer.alloc(1024);

function unitsWithRoom(length: number, needed: number): Uint16Array {
  if (length + needed <= units.length) return units;
  const larger = new Uint16Array(Math.max(units.length * 2, length + needed));
  larger.set(units.subarray(0, length));
  units = larger;
  return units;
}

function decodeUnits(length: number, maxUnit: number): string {
  // UTF-16LE is the typed array's own byte order on every host Node runs Azure Functions on.
  if (maxUnit > 0xff) return Buffer.from(units.buffer, 0, length * 2).toString('utf16le');
  if (latin1.length < length) latin1 = Buffer.alloc(Math.max(latin1.length * 2, length));
  latin1.set(units.subarray(0, length));
  return latin1.toString('latin1', 0, length);
}

/**
 * The words of `foldText(text)` as `wordsOf` splits them (lower case, accents removed, split on
 * everything but letters and digits), and them joined by spaces, in one pass and without folding
 * the whole text first. Returns undefined for the rare text the table cannot fold character by
 * character.
 */
export function foldedWordsByTable(text: string): FoldedWords | undefined {
  const lower = lowerCase(text);
  let buffer = unitsWithRoom(0, lower.length + 1);
  let length = 0;
  let maxUnit = 0;
  // Start offsets of the words in the joined string, and where the current word starts.
  const starts: number[] = [];
  let wordStart = 0;
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    let kind: number;
    if (code < 0x80) {
      kind = (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ? KEEP : SPLIT;
    } else {
      const point = code >= 0xd800 && code < 0xdc00 ? (lower.codePointAt(i) ?? code) : code;
      kind = foldKind(point);
      if (kind === MIXED) return undefined;
      if (point > 0xffff) {
        if (kind !== SPLIT) return undefined;
        i++;
      } else if (kind === MAP) {
        const form = foldedForms.get(point) ?? '';
        // Room for the form and for the rest of the text, one unit a character.
        buffer = unitsWithRoom(length, form.length + lower.length - i);
        for (let k = 0; k < form.length; k++) {
          const unit = form.charCodeAt(k);
          buffer[length++] = unit;
          if (unit > maxUnit) maxUnit = unit;
        }
        continue;
      } else if (kind === DROP) {
        continue;
      }
    }
    if (kind === KEEP) {
      buffer[length++] = code;
      if (code > maxUnit) maxUnit = code;
      continue;
    }
    // A separator ends the word, if there is one.
    if (length > wordStart) {
      starts.push(wordStart);
      buffer[length++] = 32;
      wordStart = length;
    }
  }
  if (length > wordStart) starts.push(wordStart);
  else if (length > 0) length--; // the space after the last word
  const joined = decodeUnits(length, maxUnit);
  const words = new Array<string>(starts.length);
  for (let k = 0; k < starts.length; k++) {
    const end = k + 1 < starts.length ? starts[k + 1]! - 1 : joined.length;
    words[k] = joined.slice(starts[k], end);
  }
  return { words, joined };
}

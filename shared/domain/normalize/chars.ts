/**
 * Character classes and accent folding by table instead of Unicode regexes: the text pipeline
 * looks at every character several times, and `[^\p{L}\p{N}]`-style regexes and whole-text
 * `normalize('NFD')` dominated its cost. Each table entry is computed once, on first sight of the
 * character, with exactly those regexes, so the results are the same as theirs.
 */

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

/**
 * The words of `foldText(text)` as `wordsOf` splits them (lower case, accents removed, split on
 * everything but letters and digits), in one pass and without folding the whole text first.
 * Returns undefined for the rare text the table cannot fold character by character.
 */
export function foldedWordsByTable(text: string): string[] | undefined {
  const lower = lowerCase(text);
  const words: string[] = [];
  let start = -1; // start of the current word's unfolded piece, -1 between words
  let built = ''; // folded part of the current word before `start`
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
      } else if (kind === DROP || kind === MAP) {
        if (start >= 0) built += lower.slice(start, i);
        if (kind === MAP) built += foldedForms.get(point) ?? '';
        start = i + 1;
        continue;
      }
    }
    if (kind === KEEP) {
      if (start < 0) start = i;
      continue;
    }
    // A separator ends the word, if there is one.
    const word = start >= 0 ? built + lower.slice(start, i) : built;
    if (word !== '') words.push(word);
    start = -1;
    built = '';
  }
  const last = start >= 0 ? built + lower.slice(start) : built;
  if (last !== '') words.push(last);
  return words;
}

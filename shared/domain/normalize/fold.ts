import { foldedWordsByTable } from './chars.js';

/** Lower-case, accent-free word forms, for matching vocabulary and for hashing text. */
export function foldText(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss');
}

/** Words of folded text: letters and digits, split on everything else. */
export function wordsOf(folded: string): string[] {
  // eslint-disable-next-line no-control-regex
  const separators = /^[\x00-\x7f]*$/.test(folded) ? ASCII_SEPARATORS : WORD_SEPARATORS;
  return folded.split(separators).filter((word) => word !== '');
}

const WORD_SEPARATORS = /[^\p{L}\p{N}]+/u;
const ASCII_SEPARATORS = /[^A-Za-z0-9]+/;

/** `wordsOf(foldText(text))` in one pass (see chars.ts); the same words, a fifth of the cost. */
export function foldedWordsOf(text: string): string[] {
  return foldedWordsByTable(text) ?? wordsOf(foldText(text));
}

/**
 * The end of the word starting at `start` of `joined` (words joined by single spaces). Word loops
 * take lengths from here rather than from the words: they come in every string representation
 * (sliced, concatenated, one- or two-byte), which makes V8's lookup of `.length` megamorphic.
 */
export function wordEnd(joined: string, start: number): number {
  let end = start;
  while (end < joined.length && joined.charCodeAt(end) !== 32) end++;
  return end;
}

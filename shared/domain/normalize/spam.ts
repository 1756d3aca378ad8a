/**
 * Spam and junk. Flagged with reasons and kept (the record is evidence), and the flag excludes
 * the item from counting downstream. Deliberately conservative: a short or enthusiastic review
 * ("sooo good!!!", "👍") is feedback, not junk.
 */
import { letterCount } from './chars.js';
import { foldedWordsOf, foldText } from './fold.js';
import { KeywordGroups } from './keyword-groups.js';

export interface SpamVerdict {
  isSpam: boolean;
  reasons: string[];
}

const URL = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const SHORTENER =
  /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rebrand\.ly|shorturl\.at|t\.me)\b/i;
const PROMO =
  /\b(?:discount|coupon|promo(?:tion)?|promo ?code|free|win|winner|prize|cheap(?:est)?|buy now|click here|order now|limited offer|best price|casino|bet(?:ting)?|crypto|bitcoin|forex|loans?|viagra|cialis|replica|followers|earn money|make money|work from home|descuento|gratis|oferta|cup[oó]n|r[ée]duction|gratuit|promo|soldes|rabatt|gutschein|kostenlos|angebot|sconto|gratuito|offerta|desconto|cupom|promo[çc][aã]o|korting|aanbieding)\b/i;
const MAYBE_URL = /https?:\/\/|www\./i;
const KEYBOARD_RUNS = ['qwert', 'asdf', 'zxcv', 'hjkl', 'uiop', 'wasd', 'azert', 'qsdf'];
const KEYBOARD_MASH = new RegExp(KEYBOARD_RUNS.join('|'));
const keyboardRuns = new KeywordGroups([KEYBOARD_RUNS]);
const PLACEHOLDER = /\[[A-Z]+(?::[0-9a-f]+)?\]/;
const VOWELS = 'aeiouyäöüàáâãèéêìíîòóôõùúû';
const CONSONANTS = 'bcdfghjklmnpqrstvwxz';
/** Letter kinds by character code, for the gibberish check: 1 vowel, 2 consonant, 3 digit. */
const VOWEL = 1;
const CONSONANT = 2;
const DIGIT = 3;
const letterKinds = new Uint8Array(0x100);
for (const char of VOWELS) letterKinds[char.charCodeAt(0)] = VOWEL;
for (const char of CONSONANTS) letterKinds[char.charCodeAt(0)] = CONSONANT;
for (let digit = 48; digit <= 57; digit++) letterKinds[digit] = DIGIT;

/**
 * A word with no vowel in 5+ letters, or 5 consonants in a row, is not a word in these languages.
 * One pass over the character codes instead of three regexes per word. The characters are read
 * from `joined`, where the word sits at `start`: one flat string, while words come in every string
 * representation (which makes V8's lookups of their methods megamorphic).
 */
function isGibberishWord(word: string, joined: string, start: number, end: number): boolean {
  if (end - start < 5) return false;
  let vowel = false;
  let run = 0;
  let longestRun = 0;
  for (let i = start; i < end; i++) {
    const code = joined.charCodeAt(i);
    const kind = code < 0x100 ? letterKinds[code]! : 0;
    if (kind === DIGIT) return false;
    if (kind === VOWEL) vowel = true;
    if (kind === CONSONANT) {
      run++;
      if (run > longestRun) longestRun = run;
    } else run = 0;
  }
  if (!vowel) return true;
  return longestRun >= 5 && !/(?:sch|tsch|ngstr|chtst)/.test(word);
}

/** Characters in runs of six or more of the same character ("!!!!!!", "aaaaaaa"). */
export function repeatedRunLength(text: string): number {
  // Such a run covers one of every five positions, and there it has a neighbour equal to it: only
  // those positions are read, and a run is measured only where one is found.
  let total = 0;
  let searchFrom = 0;
  for (let probe = 4; probe < text.length; probe += 5) {
    if (probe < searchFrom) continue;
    const code = text.charCodeAt(probe);
    if (text.charCodeAt(probe - 1) !== code && text.charCodeAt(probe + 1) !== code) continue;
    let start = probe;
    while (start > searchFrom && text.charCodeAt(start - 1) === code) start--;
    let end = probe + 1;
    while (end < text.length && text.charCodeAt(end) === code) end++;
    if (end - start >= 6) total += end - start;
    searchFrom = end;
  }
  return total;
}

/** How often the most frequent word occurs, when one word makes up more than half the words; else 0. */
function majorityWordCount(words: readonly string[]): number {
  // Boyer-Moore majority vote: only a word over half the words matters here, and it needs no map.
  let candidate = '';
  let balance = 0;
  for (const word of words) {
    if (balance === 0) candidate = word;
    balance += word === candidate ? 1 : -1;
  }
  let count = 0;
  for (const word of words) if (word === candidate) count++;
  return count * 2 > words.length ? count : 0;
}

/**
 * Whether a word is eight lower-case hex digits, like the key part of `[ORDER:ab12cd34]` (read
 * from `joined` at `start` up to `end`, as in isGibberishWord).
 */
function isTokenLike(joined: string, start: number, end: number): boolean {
  if (end - start !== 8) return false;
  for (let i = start; i < end; i++) {
    const code = joined.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

/** What the caller may already have: the text's words from foldedWordsOf, and them joined by spaces. */
export interface SpamInputs {
  foldedWords?: readonly string[];
  joinedWords?: string;
}

export function detectSpam(text: string, known: SpamInputs = {}): SpamVerdict {
  const reasons: string[] = [];
  const urls = MAYBE_URL.test(text) ? (text.match(URL) ?? []) : [];
  const withoutUrls = urls.length > 0 ? text.replace(URL, ' ') : text;
  if (urls.length > 0 && (PROMO.test(foldText(withoutUrls)) || urls.some((url) => SHORTENER.test(url))))
    reasons.push('promotional_link');
  if (urls.length >= 3) reasons.push('many_links');

  const words = known.foldedWords ?? foldedWordsOf(withoutUrls);
  // The checks below only ask whether there are fewer than 2, or at least 5, letters.
  const letters = letterCount(text, 5);
  if (letters < 2 && !/\p{Extended_Pictographic}/u.test(text)) reasons.push('no_meaningful_content');
  // Placeholders like [ORDER:ab12cd34] are ours, not the customer's words: their keys do not count.
  const placeholders = text.includes('[') && PLACEHOLDER.test(text);
  const joined = known.joinedWords ?? words.join(' ');
  let alphaWords = words.length;
  if (placeholders) {
    for (let start = 0, k = 0; k < words.length; k++) {
      const end = start + words[k]!.length;
      if (isTokenLike(joined, start, end)) alphaWords--;
      start = end + 1;
    }
  }

  // Words are folded (lower case), so the keyboard runs need no case-insensitive search; a word
  // holds one only if the words joined do, so most texts need no search per word.
  const mashes = keyboardRuns.groupsIn(joined) !== 0;
  let gibberish = 0;
  let counted = 0;
  for (let start = 0, k = 0; k < words.length; k++) {
    const wordStart = start;
    const end = start + words[k]!.length;
    start = end + 1;
    if (placeholders && isTokenLike(joined, wordStart, end)) continue;
    // Gibberish takes half the words: stop once the words left could not make up that half.
    if (2 * (gibberish + alphaWords - counted) < alphaWords) break;
    counted++;
    if (end - wordStart < 4) continue;
    const word = words[k]!;
    if (isGibberishWord(word, joined, wordStart, end) || (mashes && KEYBOARD_MASH.test(word))) gibberish++;
  }
  if (alphaWords > 0 && gibberish / alphaWords >= 0.5 && gibberish >= 1 && letters >= 5)
    reasons.push('gibberish');

  // Long runs of one character, or one word said over and over, dominating the text.
  const runLength = repeatedRunLength(text);
  const topWord = words.length >= 6 ? majorityWordCount(words) : 0;
  if (runLength / Math.max(1, text.length) > 0.3 || (words.length >= 6 && topWord / words.length > 0.5)) {
    reasons.push('repeated_characters');
  }
  return { isSpam: reasons.length > 0, reasons };
}

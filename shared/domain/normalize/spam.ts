/**
 * Spam and junk. Flagged with reasons and kept (the record is evidence), and the flag excludes
 * the item from counting downstream. Deliberately conservative: a short or enthusiastic review
 * ("sooo good!!!", "👍") is feedback, not junk.
 */
import { foldText, wordsOf } from './fold.js';

export interface SpamVerdict {
  isSpam: boolean;
  reasons: string[];
}

const URL = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const SHORTENER =
  /\b(?:bit\.ly|tinyurl\.com|t\.co|goo\.gl|ow\.ly|is\.gd|cutt\.ly|rebrand\.ly|shorturl\.at|t\.me)\b/i;
const PROMO =
  /\b(?:discount|coupon|promo(?:tion)?|promo ?code|free|win|winner|prize|cheap(?:est)?|buy now|click here|order now|limited offer|best price|casino|bet(?:ting)?|crypto|bitcoin|forex|loans?|viagra|cialis|replica|followers|earn money|make money|work from home|descuento|gratis|oferta|cup[oó]n|r[ée]duction|gratuit|promo|soldes|rabatt|gutschein|kostenlos|angebot|sconto|gratuito|offerta|desconto|cupom|promo[çc][aã]o|korting|aanbieding)\b/i;
const NON_LETTERS = /[^\p{L}]+/gu;
const KEYBOARD_MASH = /(?:qwert|asdf|zxcv|hjkl|uiop|jkl;|wasd|azert|qsdf)/i;
const VOWELS = /[aeiouyäöüàáâãèéêìíîòóôõùúû]/;

/** A word with no vowel in 5+ letters, or 5 consonants in a row, is not a word in these languages. */
function isGibberishWord(word: string): boolean {
  if (/\d/.test(word) || word.length < 5) return false;
  if (!VOWELS.test(word)) return true;
  return /[bcdfghjklmnpqrstvwxz]{5,}/.test(word) && !/(?:sch|tsch|ngstr|chtst)/.test(word);
}

/** `foldedWords`: the text's words from foldText/wordsOf, when the caller already has them. */
/** Characters in runs of six or more of the same character ("!!!!!!", "aaaaaaa"). */
function repeatedRunLength(text: string): number {
  let total = 0;
  let run = 1;
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) === text.charCodeAt(i - 1)) {
      run++;
      continue;
    }
    if (run >= 6) total += run;
    run = 1;
  }
  return total;
}

export function detectSpam(text: string, foldedWords?: readonly string[]): SpamVerdict {
  const reasons: string[] = [];
  const urls = text.match(URL) ?? [];
  const folded = urls.length > 0 ? foldText(text.replace(URL, ' ')) : '';
  if (urls.length > 0 && (PROMO.test(folded) || urls.some((url) => SHORTENER.test(url))))
    reasons.push('promotional_link');
  if (urls.length >= 3) reasons.push('many_links');

  const words = foldedWords ?? wordsOf(foldText(text.replace(URL, ' ')));
  const letters = text.replace(NON_LETTERS, '');
  const hasEmoji = /\p{Extended_Pictographic}/u.test(text);
  if (letters.length < 2 && !hasEmoji) reasons.push('no_meaningful_content');
  // Placeholders like [ORDER:ab12cd34] are ours, not the customer's words.
  const placeholderWords = (text.match(/\[[A-Z]+(?::[0-9a-f]+)?\]/g) ?? []).length;

  const alphaWords = placeholderWords > 0 ? words.filter((word) => !/^[0-9a-f]{8}$/.test(word)) : [...words];
  if (alphaWords.length > 0) {
    const gibberish = alphaWords.filter(
      (word) => word.length >= 4 && (isGibberishWord(word) || KEYBOARD_MASH.test(word)),
    ).length;
    if (gibberish / alphaWords.length >= 0.5 && gibberish >= 1 && letters.length >= 5)
      reasons.push('gibberish');
  }

  // Long runs of one character, or one word said over and over, dominating the text.
  const runLength = repeatedRunLength(text);
  const counts = new Map<string, number>();
  for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  const topWord = Math.max(0, ...counts.values());
  if (runLength / Math.max(1, text.length) > 0.3 || (words.length >= 6 && topWord / words.length > 0.5)) {
    reasons.push('repeated_characters');
  }
  return { isSpam: reasons.length > 0, reasons };
}

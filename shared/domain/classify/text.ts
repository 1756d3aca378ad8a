/**
 * Text preparation shared by the rules, the model's features and training: one folding so that
 * "Reißverschluss", "reissverschluss" and "REISSVERSCHLUSS" look alike, accents optional.
 */

/** Anything but printable ASCII and ASCII whitespace (other controls take the table path). */
const OUTSIDE_PLAIN_ASCII = /[^ -~\t\n\r\v\f]/;

/** The definition of folding, for any text. */
function foldAnyText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"');
}

// Latin letters with accents, ß and typographic quotes fold one character at a time: their
// decompositions are a base letter plus marks (all removed) and their lower case needs no
// context. A text with no other non-ASCII characters folds with a table instead of
// normalize + four regular expressions (the accented half of the traffic).
const LATIN_FOLDABLE = /[^\t-\u024f\u2018\u2019\u201c\u201d]/;
const LATIN_SPECIAL = /[\u0080-\u024f\u2018\u2019\u201c\u201d`]/g;
const latinFolds = new Map<string, string>();
for (let code = 0x80; code <= 0x24f; code++) {
  const char = String.fromCharCode(code);
  latinFolds.set(char, foldAnyText(char));
}
for (const char of ['\u2018', '\u2019', '\u201c', '\u201d', '`']) latinFolds.set(char, foldAnyText(char));
const foldLatinChar = (char: string): string => latinFolds.get(char) ?? char;

/** Lower-case, NFKD without combining marks, ß → ss, curly quotes straightened. */
export function foldText(text: string): string {
  // Plain ASCII (most items) is its own NFKD form and has no marks, ß or curly quotes.
  if (!OUTSIDE_PLAIN_ASCII.test(text)) {
    const lower = text.toLowerCase();
    return lower.includes('`') ? lower.replace(/`/g, "'") : lower;
  }
  if (!LATIN_FOLDABLE.test(text)) return text.replace(LATIN_SPECIAL, foldLatinChar).toLowerCase();
  return foldAnyText(text);
}

const tokenPattern = /[\p{L}\p{N}]+(?:'[\p{L}]+)?|\p{Extended_Pictographic}|[!?]/gu;

/**
 * Words (with an English/French elision kept whole), emoji and ! ? as separate tokens.
 * The definition the model's features use; `tokenizeFolded` computes the same tokens faster.
 */
export function tokenize(folded: string): string[] {
  return folded.match(tokenPattern) ?? [];
}

/** Rule tokens split at apostrophes too, so "doesn't" is `doesn t` and "l'écran" is `l ecran`. */
const ruleTokenPattern = /[\p{L}\p{N}]+|\p{Extended_Pictographic}|[!?]/gu;

/** The definition the rules use; `tokenizeFolded` computes the same tokens faster. */
export function ruleTokensOfFolded(folded: string): string[] {
  return folded.match(ruleTokenPattern) ?? [];
}

// Character classes for the scanner below, filled lazily from the same Unicode properties the
// patterns above use (one byte per code point; a letter that is also a pictograph counts as a
// letter, as the patterns' alternation order says).
const UNKNOWN = 0;
const OTHER = 1;
const LETTER = 2;
const DIGIT = 3;
const PICTOGRAPH = 4;
const charClasses = new Uint8Array(0x110000);
const letterPattern = /^\p{L}$/u;
const digitPattern = /^\p{N}$/u;
const pictographPattern = /^\p{Extended_Pictographic}$/u;

function classOf(codePoint: number): number {
  let kind = charClasses[codePoint] as number;
  if (kind === UNKNOWN) {
    const char = String.fromCodePoint(codePoint);
    if (letterPattern.test(char)) kind = LETTER;
    else if (digitPattern.test(char)) kind = DIGIT;
    else if (pictographPattern.test(char)) kind = PICTOGRAPH;
    else kind = OTHER;
    charClasses[codePoint] = kind;
  }
  return kind;
}

/** The code point at `index` (a surrogate pair read whole, as the `u` patterns do). */
function codePointAt(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  if (unit >= 0xd800 && unit < 0xdc00 && index + 1 < text.length) {
    const low = text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low < 0xe000) return (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return unit;
}

function widthOf(codePoint: number): number {
  return codePoint > 0xffff ? 2 : 1;
}

function isWordClass(kind: number): boolean {
  return kind === LETTER || kind === DIGIT;
}

const EXCLAMATION = 0x21;
const QUESTION = 0x3f;
const APOSTROPHE = 0x27;

/** End of the run of word characters (letters, or letters and digits) starting at `index`. */
function runEnd(text: string, index: number, lettersOnly: boolean): number {
  let position = index;
  while (position < text.length) {
    const unit = text.charCodeAt(position);
    // ASCII first: most folded text is.
    if (unit < 0x80) {
      if ((unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a)) position++;
      else if (!lettersOnly && unit >= 0x30 && unit <= 0x39) position++;
      else break;
      continue;
    }
    const codePoint = codePointAt(text, position);
    const kind = classOf(codePoint);
    if (kind === LETTER || (!lettersOnly && kind === DIGIT)) position += widthOf(codePoint);
    else break;
  }
  return position;
}

/** Both token lists of a folded text: the same strings as `ruleTokensOfFolded` and `tokenize`. */
export interface FoldedTokens {
  folded: string;
  /** Split at apostrophes (the rules' view). */
  ruleTokens: string[];
  /**
   * Elisions kept whole (the model's view); shares strings with `ruleTokens` where equal, and is
   * the same array when the text has no apostrophe (neither is changed after tokenising).
   */
  featureTokens: string[];
}

/**
 * One scan per view over the folded text with a cached character class table, instead of two
 * Unicode regular expressions and their match arrays; runs for every classified item.
 */
export function tokenizeFolded(folded: string): FoldedTokens {
  const ruleTokens: string[] = [];
  const ruleStarts: number[] = [];
  const length = folded.length;
  let index = 0;
  while (index < length) {
    const codePoint = codePointAt(folded, index);
    const width = widthOf(codePoint);
    if (codePoint === EXCLAMATION || codePoint === QUESTION) {
      ruleStarts.push(index);
      ruleTokens.push(codePoint === EXCLAMATION ? '!' : '?');
      index++;
      continue;
    }
    const kind = classOf(codePoint);
    if (isWordClass(kind)) {
      const end = runEnd(folded, index + width, false);
      ruleStarts.push(index);
      ruleTokens.push(folded.slice(index, end));
      index = end;
    } else {
      if (kind === PICTOGRAPH) {
        ruleStarts.push(index);
        ruleTokens.push(folded.slice(index, index + width));
      }
      index += width;
    }
  }

  // The views differ only where an apostrophe follows a word.
  if (!folded.includes("'")) return { folded, ruleTokens, featureTokens: ruleTokens };
  const featureTokens: string[] = [];
  let rule = 0;
  index = 0;
  while (index < length) {
    const codePoint = codePointAt(folded, index);
    const width = widthOf(codePoint);
    const kind = codePoint === EXCLAMATION || codePoint === QUESTION ? PICTOGRAPH : classOf(codePoint);
    if (kind !== PICTOGRAPH && !isWordClass(kind)) {
      index += width;
      continue;
    }
    let end = index + width;
    if (isWordClass(kind)) {
      end = runEnd(folded, end, false);
      // An elision: the apostrophe and the letters after it belong to the word.
      if (end + 1 < length && folded.charCodeAt(end) === APOSTROPHE) {
        const afterApostrophe = runEnd(folded, end + 1, true);
        if (afterApostrophe > end + 1) end = afterApostrophe;
      }
    }
    // Reuse the rule token's string when both views cut the same piece of text.
    while (rule < ruleStarts.length && (ruleStarts[rule] as number) < index) rule++;
    const same =
      rule < ruleStarts.length &&
      ruleStarts[rule] === index &&
      (ruleTokens[rule] as string).length === end - index;
    featureTokens.push(same ? (ruleTokens[rule] as string) : folded.slice(index, end));
    index = end;
  }
  return { folded, ruleTokens, featureTokens };
}

/**
 * Negation cues in the supported languages (folded). A negation marks the next few words, so
 * "not good" and "good" become different features.
 */
export const negationWords = new Set([
  // en
  'not',
  'no',
  'never',
  'nothing',
  'none',
  'nobody',
  'nor',
  'cannot',
  "can't",
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "wasn't",
  "won't",
  "wouldn't",
  "aren't",
  "haven't",
  "hasn't",
  "couldn't",
  "shouldn't",
  'without',
  'hardly',
  'cant',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'wasnt',
  'wont',
  // es / pt / it
  'nunca',
  'jamas',
  'tampoco',
  'nada',
  'ningun',
  'ninguna',
  'ninguno',
  'sin',
  'nao',
  'nem',
  'nenhum',
  'nenhuma',
  'non',
  'mai',
  'nessun',
  'nessuno',
  'niente',
  'senza',
  // fr
  'ne',
  "n'",
  'pas',
  'jamais',
  'rien',
  'aucun',
  'aucune',
  'sans',
  "n'est",
  "n'a",
  "n'ai",
  "n'y",
  // de / nl
  'nicht',
  'kein',
  'keine',
  'keinen',
  'keiner',
  'nie',
  'niemals',
  'nichts',
  'ohne',
  'niet',
  'geen',
  'nooit',
  'zonder',
]);

/** How many words after a negation are marked. */
export const NEGATION_SCOPE = 3;

/** Tokens with the ones inside a negation's scope prefixed by `~`; punctuation ends the scope. */
export function markNegation(tokens: string[]): string[] {
  const out: string[] = new Array<string>(tokens.length);
  let scope = 0;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    if (token === '!' || token === '?') {
      scope = 0;
      out[index] = token;
    } else if (negationWords.has(token)) {
      scope = NEGATION_SCOPE;
      out[index] = token;
    } else if (scope > 0) {
      scope--;
      out[index] = `~${token}`;
    } else {
      out[index] = token;
    }
  }
  return out;
}

const stopwordsByLanguage: Record<string, string[]> = {
  en: [
    'the',
    'and',
    'is',
    'it',
    'was',
    'my',
    'this',
    'not',
    'with',
    'for',
    'but',
    'very',
    'of',
    'to',
    'i',
    'you',
    'are',
  ],
  es: [
    'el',
    'la',
    'los',
    'las',
    'es',
    'muy',
    'pero',
    'que',
    'con',
    'para',
    'una',
    'no',
    'mi',
    'del',
    'por',
    'se',
    'y',
  ],
  fr: [
    'le',
    'la',
    'les',
    'est',
    'tres',
    'mais',
    'que',
    'avec',
    'pour',
    'une',
    'pas',
    'mon',
    'ma',
    'du',
    'des',
    'et',
    'je',
    "c'est",
  ],
  de: [
    'der',
    'die',
    'das',
    'ist',
    'sehr',
    'aber',
    'und',
    'nicht',
    'mit',
    'fur',
    'ein',
    'eine',
    'mein',
    'ich',
    'zu',
    'es',
    'war',
  ],
  it: [
    'il',
    'lo',
    'gli',
    'della',
    'molto',
    'ma',
    'che',
    'con',
    'per',
    'non',
    'sono',
    'e',
    'un',
    'mio',
    'di',
    'questo',
  ],
  pt: [
    'o',
    'os',
    'as',
    'muito',
    'mas',
    'que',
    'com',
    'para',
    'uma',
    'nao',
    'meu',
    'minha',
    'do',
    'da',
    'e',
    'um',
    'esta',
  ],
  nl: [
    'de',
    'het',
    'een',
    'is',
    'niet',
    'erg',
    'maar',
    'en',
    'met',
    'voor',
    'mijn',
    'ik',
    'van',
    'dat',
    'zeer',
    'wel',
  ],
};
const stopwordIndex = new Map<string, string[]>();
for (const [language, words] of Object.entries(stopwordsByLanguage)) {
  for (const word of words) stopwordIndex.set(word, [...(stopwordIndex.get(word) ?? []), language]);
}

/**
 * A small stop-word vote, used only when no language comes with the item (the offline CLI
 * before the normalize code exists, ad-hoc eval files). Defaults to English.
 */
export function guessLanguage(text: string): string {
  const votes = new Map<string, number>();
  for (const token of tokenize(foldText(text))) {
    for (const language of stopwordIndex.get(token) ?? [])
      votes.set(language, (votes.get(language) ?? 0) + 1);
  }
  let best = 'en';
  let bestVotes = 0;
  for (const [language, count] of votes) {
    if (count > bestVotes) {
      best = language;
      bestVotes = count;
    }
  }
  return best;
}

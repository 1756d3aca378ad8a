/**
 * Segment-level language votes from function words, for the mixed-language flag. Function words
 * ("the", "und", "molto", "niet") identify a sentence's language cheaply and reliably once a
 * sentence has two or three of them; running the n-gram detector on every sentence would cost
 * as much as the rest of the stage together.
 */
import { charClass, fnv1a, LETTER as LETTER_CLASS, lowerCase, NUMBER as NUMBER_CLASS } from './chars.js';

// Module-local copies: V8 reloads an imported binding, and checks that it is initialised, at every
// use, and the character loops below use these for every character.
const LETTER = LETTER_CLASS;
const NUMBER = NUMBER_CLASS;

const functionWords: Record<string, string> = {
  en: 'the and is was with this that it not but very for my have of to after would they you are been a in no',
  es: 'el la los las y es muy pero con para que una del por no mi se lo esta está fue despues después tengo de a en un al o',
  fr: 'le la les et est tres très mais avec pour que une des du pas je mon ma il ete été ce sont de a en un au aux',
  de: 'der die das und ist sehr aber mit fur für nicht ich ein eine mein es war nach zu auf habe sind in den dem',
  it: 'il lo la e è molto ma con per che una non mi mio sono del della dopo ho gli un in al le se o',
  pt: 'o a os as e é muito mas com para que uma nao não meu minha do da foi depois tenho sao são de em no na se',
  nl: 'de het een en is zeer erg maar met voor niet ik mijn van was na dat op heb zijn in',
};

const languages = Object.keys(functionWords);

/**
 * word → its votes as flat pairs [language index, weight, language index, weight, ...]: a word
 * shared by k languages votes 1/k for each (flat, so adding them needs no iterator per pair).
 */
const votes = new Map<string, number[]>();
for (const [index, language] of languages.entries()) {
  for (const word of functionWords[language]!.split(' ')) {
    const key = word.toLowerCase();
    const pairs = votes.get(key) ?? [];
    pairs.push(index, 1);
    votes.set(key, pairs);
  }
}
for (const pairs of votes.values())
  for (let k = 1; k < pairs.length; k += 2) pairs[k] = 1 / (pairs.length / 2);

/** Function words are short: longer words are not looked up. */
const MAX_FUNCTION_WORD = 7;

export interface FunctionWordVote {
  language: string;
  score: number;
  second: number;
}

function isWordChar(code: number, numbers: boolean): boolean {
  if (code < 0x80)
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (numbers && code >= 48 && code <= 57);
  const kind = charClass(code);
  return kind === LETTER || (numbers && kind === NUMBER);
}

/**
 * Adds the votes of the words of `lower` (lower-cased text; words split as `wordsOf` splits them)
 * to `scores`, one slot per language. Words are sliced out only when short enough to vote.
 * `numbers`: digits belong to words (else they separate words, as if replaced by spaces).
 */
function addVotes(lower: string, scores: Float64Array, numbers: boolean): void {
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    let code = i < lower.length ? lower.charCodeAt(i) : 32;
    let width = 1;
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < lower.length) {
      code = lower.codePointAt(i) ?? code;
      width = code > 0xffff ? 2 : 1;
    }
    if (isWordChar(code, numbers)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      addWordVotes(votesOf(lower, start, i), scores);
      start = -1;
    }
    i += width - 1;
  }
}

/** The best-scoring language, its score and the runner-up's score (ties: the first language). */
function ranked(scores: Float64Array): FunctionWordVote | undefined {
  let top = -1;
  let second = 0;
  for (let language = 0; language < scores.length; language++) {
    const score = scores[language]!;
    if (score === 0) continue;
    if (top < 0 || score > scores[top]!) {
      if (top >= 0) second = scores[top]!;
      top = language;
    } else if (score > second) second = score;
  }
  return top < 0 ? undefined : { language: languages[top]!, score: scores[top]!, second };
}

/**
 * Function-word votes of a text: the leading language, its score and the runner-up's.
 * `numbersSplitWords`: read digits as spaces (the votes of the text with its numbers removed).
 */
export function functionWordVote(text: string, numbersSplitWords = false): FunctionWordVote | undefined {
  const scores = new Float64Array(languages.length);
  addVotes(text.toLowerCase(), scores, !numbersSplitWords);
  return ranked(scores);
}

/** The language a segment's function words point to, or undefined when they do not agree enough. */
export function segmentLanguage(segment: string): string | undefined {
  const scores = new Float64Array(languages.length);
  addVotes(segment.toLowerCase(), scores, true);
  const best = ranked(scores);
  if (!best || best.score < 2) return undefined;
  if (best.second * 2 > best.score) return undefined;
  return best.language;
}

/**
 * Lengths (bit per length) of the function words by first and by last character code (below 256):
 * most words of a text fail one of the two and are never sliced out to be looked up.
 */
const lengthsByFirst = new Uint8Array(256);
const lengthsByLast = new Uint8Array(256);
for (const word of votes.keys()) {
  const first = word.charCodeAt(0);
  const last = word.charCodeAt(word.length - 1);
  if (first < 256) lengthsByFirst[first]! |= 1 << word.length;
  if (last < 256) lengthsByLast[last]! |= 1 << word.length;
}
/** Characters from 256 up are not in the tables: their words are looked up. */
const NO_FILTER = 0xff;

/** FNV-1a of `text[start, end)`, its high bits folded into the low ones the table reads. */
function wordHash(text: string, start: number, end: number): number {
  const hash = fnv1a(text, start, end);
  return hash ^ (hash >>> 15);
}

/**
 * The function words in an open-addressing table by wordHash: a word of the text is looked up
 * where it sits, not sliced out into a new string for a Map to hash again.
 */
const TABLE_SIZE = 1024;
const tableWords: (string | undefined)[] = new Array<string | undefined>(TABLE_SIZE).fill(undefined);
const tableVotes: number[][] = new Array<number[]>(TABLE_SIZE).fill([]);
if (votes.size * 2 > TABLE_SIZE) throw new Error('segment-language: function-word table too small');
for (const [word, pairs] of votes) {
  let slot = wordHash(word, 0, word.length) & (TABLE_SIZE - 1);
  while (tableWords[slot] !== undefined) slot = (slot + 1) & (TABLE_SIZE - 1);
  tableWords[slot] = word;
  tableVotes[slot] = pairs;
}

/** Votes of one word (`lower[start, end)`), or undefined: only short words are looked up. */
function votesOf(lower: string, start: number, end: number): number[] | undefined {
  const length = end - start;
  if (length > MAX_FUNCTION_WORD) return undefined;
  const first = lower.charCodeAt(start);
  const last = lower.charCodeAt(end - 1);
  const byFirst = first < 256 ? lengthsByFirst[first]! : NO_FILTER;
  const byLast = last < 256 ? lengthsByLast[last]! : NO_FILTER;
  if ((byFirst & byLast & (1 << length)) === 0) return undefined;
  for (let slot = wordHash(lower, start, end) & (TABLE_SIZE - 1); ; slot = (slot + 1) & (TABLE_SIZE - 1)) {
    const word = tableWords[slot];
    if (word === undefined) return undefined;
    if (word.length === length && lower.startsWith(word, start)) return tableVotes[slot];
  }
}

function addWordVotes(pairs: number[] | undefined, scores: Float64Array): void {
  if (pairs) for (let k = 0; k < pairs.length; k += 2) scores[pairs[k]!]! += pairs[k + 1]!;
}

/** Character class for word splitting: LETTER, NUMBER or 0 (a separator). */
function wordClass(code: number): number {
  if (code < 0x80) return asciiWordClasses[code]!;
  const kind = charClass(code);
  return kind === LETTER || kind === NUMBER ? kind : 0;
}
const asciiWordClasses = new Uint8Array(0x80);
for (let code = 48; code <= 57; code++) asciiWordClasses[code] = NUMBER;
for (let code = 65; code <= 90; code++) asciiWordClasses[code] = asciiWordClasses[code + 32] = LETTER;

function isAsciiLowerCaseLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

/** Code point at `index` of `text`, the way addVotes reads it (a lone surrogate as itself). */
function codeAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  if (code >= 0xd800 && code < 0xdc00 && index + 1 < text.length) return text.codePointAt(index) ?? code;
  return code;
}

/** Whether `index` is in one of the ranges (flat start, end pairs). */
function inRanges(ranges: readonly number[], index: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (index >= ranges[k]! && index < ranges[k + 1]!) return true;
  return false;
}

/**
 * Votes of the runs of letters in `lower[start, end)` outside the `hidden` ranges (a word with
 * digits in it, a word cut by the head's end or partly hidden).
 */
function addLetterRunVotes(
  lower: string,
  start: number,
  end: number,
  hidden: readonly number[],
  scores: Float64Array,
): void {
  let run = -1;
  for (let i = start; i <= end; i++) {
    const code = i < end ? codeAt(lower, i) : 32;
    const width = code > 0xffff ? 2 : 1;
    if (wordClass(code) === LETTER && !inRanges(hidden, i)) {
      if (run < 0) run = i;
    } else if (run >= 0) {
      addWordVotes(votesOf(lower, run, i), scores);
      run = -1;
    }
    i += width - 1;
  }
}

export interface TextVotes {
  /** Letters (UTF-16 units) in the head outside its hidden ranges. */
  headLetters: number;
  /**
   * The head's function-word vote with digits and hidden ranges read as spaces, as
   * functionWordVote(head, true) on the head with those replaced by spaces.
   */
  head: FunctionWordVote | undefined;
  /** How many languages the long segments point to (segmentLanguage of each). */
  segmentLanguages: number;
}

/** JavaScript's `\s`: white space and line terminators. */
export function isSpace(code: number): boolean {
  if (code < 0x80) return code === 32 || (code >= 9 && code <= 13);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Characters that end a sentence before a segment separator. */
function endsSentence(code: number): boolean {
  return code === 46 || code === 33 || code === 63 || code === 59 || code === 0xa1 || code === 0xbf; // . ! ? ; ¡ ¿
}

/**
 * Length of the segment separator starting at `index` of `text`, 0 when none starts there: the
 * match of `/(?<=[.!?¡¿;])\s+|\n+/y` there, without running the pattern for every segment.
 */
export function separatorLengthAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  let end = index;
  if (index > 0 && isSpace(code) && endsSentence(text.charCodeAt(index - 1))) {
    while (end < text.length && isSpace(text.charCodeAt(end))) end++;
  } else if (code === 10) {
    while (end < text.length && text.charCodeAt(end) === 10) end++;
  }
  return end - index;
}

/**
 * In one pass over one lower-cased copy of `text`: the letters and the function-word vote of its
 * first `headLength` characters but the `hidden` ranges there (flat start, end pairs in text
 * order: redaction placeholders), and the languages of its segments (`text` split by
 * `/(?<=[.!?¡¿;])\s+|\n+/`; segments shorter than `minSegment` do not vote). Each word is looked up
 * once for both. Undefined when lower-casing changes the text's length (offsets would not line up).
 */
export function textVotes(
  text: string,
  headLength: number,
  hidden: readonly number[],
  minSegment: number,
): TextVotes | undefined {
  const lower = lowerCase(text);
  if (lower.length !== text.length) return undefined;
  const headScores = new Float64Array(languages.length);
  const segmentScores = new Float64Array(languages.length);
  const found = new Set<string>();
  let headLetters = 0;
  let segmentStart = 0;
  // Separators are found as a global search would find them: the next one is looked for from the
  // end of the last one on.
  let separatorsFrom = 0;
  // Whether the character before i ends a sentence (see separatorLengthAt).
  let afterSentenceEnd = false;
  let wordStart = -1;
  let digits = false;
  let partlyHidden = false;
  // The first hidden range not ended before i; past the text when there is none left (an integer,
  // not Infinity, so that the comparisons stay in small integers).
  const none = lower.length + 1;
  let nextHidden = 0;
  let hiddenStart = hidden[0] ?? none;
  let hiddenEnd = hidden[1] ?? none;
  for (let i = 0; i <= lower.length; i++) {
    const code = i < lower.length ? codeAt(lower, i) : 32;
    const width = code > 0xffff ? 2 : 1;
    // A pair of surrogates across the head's end reads differently in the head: rare, not here.
    if (width === 2 && i === headLength - 1) return undefined;
    const kind = wordClass(code);
    while (hiddenEnd <= i) {
      nextHidden += 2;
      hiddenStart = hidden[nextHidden] ?? none;
      hiddenEnd = hidden[nextHidden + 1] ?? none;
    }
    const isHidden = i >= hiddenStart;
    if (kind === LETTER && i < headLength && !isHidden) headLetters += width;
    if (kind !== 0) {
      if (wordStart < 0) {
        wordStart = i;
        digits = false;
        partlyHidden = false;
      }
      if (kind === NUMBER) digits = true;
      if (isHidden) partlyHidden = true;
      afterSentenceEnd = false;
      if (isHidden || width === 2) {
        i += width - 1;
        continue;
      }
      // The ASCII letters that follow, up to the next hidden range, change nothing but the head's
      // letter count: they are skipped in one tight loop.
      const limit = hiddenStart < lower.length ? hiddenStart : lower.length;
      let next = i + 1;
      while (next < limit && isAsciiLowerCaseLetter(lower.charCodeAt(next))) next++;
      headLetters += Math.max(0, Math.min(next, headLength) - (i + 1));
      i = next - 1;
      continue;
    }
    if (wordStart >= 0) {
      const weights = votesOf(lower, wordStart, i);
      addWordVotes(weights, segmentScores);
      // The head splits words at digits, hidden ranges and its end; a plain word inside it votes
      // the same.
      if (!digits && !partlyHidden && i <= headLength) addWordVotes(weights, headScores);
      else if (wordStart < headLength)
        addLetterRunVotes(lower, wordStart, Math.min(i, headLength), hidden, headScores);
      wordStart = -1;
    }
    // Separators are not word characters: the word before one has been counted above. One starts
    // with a line break, or with white space after the end of a sentence.
    const separatorMayStart = code === 10 || (afterSentenceEnd && isSpace(code));
    afterSentenceEnd = endsSentence(code);
    const separator =
      separatorMayStart && i >= separatorsFrom && i < lower.length ? separatorLengthAt(lower, i) : 0;
    if (separator > 0) {
      if (i - segmentStart >= minSegment) {
        const best = ranked(segmentScores);
        if (best && best.score >= 2 && best.second * 2 <= best.score) found.add(best.language);
      }
      segmentScores.fill(0);
      segmentStart = separatorsFrom = i + separator;
    }
    i += width - 1;
  }
  if (lower.length - segmentStart >= minSegment) {
    const best = ranked(segmentScores);
    if (best && best.score >= 2 && best.second * 2 <= best.score) found.add(best.language);
  }
  return { headLetters, head: ranked(headScores), segmentLanguages: found.size };
}

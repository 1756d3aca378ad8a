/**
 * Language detection with ELD (Efficient Language Detector, `eld` on npm: n-gram data bundled in
 * the package, nothing downloaded, pure JavaScript). The medium database is the best trade-off
 * measured here: as accurate as `large` on short reviews, half the memory, a third of the load time.
 *
 * Confidence combines ELD's own reliability flag, the margin between the two best scores and the
 * amount of text. Mixed-language text is flagged from a segment-level check: two sentences whose
 * function words clearly point to different languages.
 */
import { eld } from 'eld/medium';
import { letterCount } from './chars.js';
import { allMatches } from './matches.js';
import { functionWordVote, segmentLanguage, textVotes, type TextVotes } from './segment-language.js';

export interface LanguageResult {
  /** ISO 639-1 code, or 'und' when there is not enough text to tell. */
  code: string;
  confidence: number;
  mixed: boolean;
}

/** The languages the pipeline supports end to end (taxonomy synonyms, cue phrases). */
export const supportedLanguages = ['en', 'es', 'fr', 'de', 'it', 'pt', 'nl'] as const;
const supported = new Set<string>(supportedLanguages);

const UNDETERMINED: LanguageResult = { code: 'und', confidence: 0, mixed: false };

const PLACEHOLDER = /\[[A-Z]+(?::[0-9a-f]+)?\]/g;
const URL = /https?:\/\/\S+|www\.\S+/gi;
const MAYBE_URL = /http|www\./i;
const NUMBERS = /[\p{N}_]+/gu;
const ASCII_NUMBERS = /[0-9_]+/g;

/** Placeholders, URLs, e-mail remnants and digits say nothing about the language. */
function lettersOnly(text: string): string {
  // Each replacement runs only when its pattern can occur: most texts have no URL or placeholder.
  let clean = text.includes('[') ? text.replace(PLACEHOLDER, ' ') : text;
  if (MAYBE_URL.test(clean)) clean = clean.replace(URL, ' ');
  // eslint-disable-next-line no-control-regex
  clean = clean.replace(/^[\x00-\x7f]*$/.test(clean) ? ASCII_NUMBERS : NUMBERS, ' ');
  return clean.replace(/\s+/g, ' ').trim();
}

interface Scored {
  code: string;
  score: number;
  second: number;
  reliable: boolean;
}

function bestOf(text: string): Scored | undefined {
  const result = eld.detect(text);
  if (result.language === '') return undefined;
  // One pass instead of sorting all sixty scores: the best, the best supported, the runner-up.
  let top: [string, number] | undefined;
  let topSupported: [string, number] | undefined;
  const entries = Object.entries(result.getScores());
  for (const entry of entries) {
    if (!top || entry[1] > top[1]) top = entry;
    if (supported.has(entry[0]) && (!topSupported || entry[1] > topSupported[1])) topSupported = entry;
  }
  if (!top) return undefined;
  // On short text a supported language close behind an unsupported one is the better bet:
  // feedback to this shop is overwhelmingly in the languages it sells in.
  const [code, score] =
    !supported.has(top[0]) && topSupported && topSupported[1] >= top[1] * 0.9 ? topSupported : top;
  let second = 0;
  for (const [candidate, value] of entries) {
    if (candidate !== code && value > second) second = value;
  }
  return { code, score, second, reliable: result.isReliable() };
}

function confidenceOf(best: Scored, letters: number): number {
  const margin = best.score > 0 ? Math.max(0, (best.score - best.second) / best.score) : 0;
  const length = Math.min(1, letters / 60);
  const value = (best.reliable ? 0.45 : 0.15) + 0.3 * Math.min(1, margin * 4) + 0.25 * length;
  return Math.round(Math.min(1, value) * 100) / 100;
}

const SEGMENT_MIN_LETTERS = 20;
/** The mixed-language check reads this much (a few sentences are enough to see two languages). */
const MIXED_CHARS = 1000;
/** The n-gram detector reads this much; more text does not change the answer, only the cost. */
const DETECTION_CHARS = 160;

const SEGMENT_SEPARATOR = /(?<=[.!?¡¿;])\s+|\n+/;

/** Two sentences or more confidently in different languages (see segment-language.ts). */
function isMixed(text: string): boolean {
  const languages = new Set<string>();
  for (const segment of text.split(SEGMENT_SEPARATOR)) {
    if (segment.length < SEGMENT_MIN_LETTERS) continue;
    const language = segmentLanguage(segment);
    if (!language) continue;
    languages.add(language);
  }
  return languages.size >= 2;
}

/** Placeholders in the head, as flat start, end pairs. */
function placeholderRanges(head: string): number[] {
  const ranges: number[] = [];
  if (!head.includes('[')) return ranges;
  for (const match of allMatches(PLACEHOLDER, head)) ranges.push(match.index, match.index + match[0].length);
  return ranges;
}

export function detectLanguage(text: string): LanguageResult {
  // Only the head of a long text is read: cleaning all of it would cost more than detecting.
  const head = text.length > 2 * DETECTION_CHARS ? text.slice(0, 2 * DETECTION_CHARS) : text;
  // Without URLs, the head's letters and function words are read in the same pass as the
  // segments' (placeholders and digits read as spaces, as lettersOnly would leave them); the
  // cleaned head is built only when the n-gram detector needs it.
  const votes: TextVotes | undefined = MAYBE_URL.test(head)
    ? undefined
    : textVotes(text.slice(0, MIXED_CHARS), head.length, placeholderRanges(head), SEGMENT_MIN_LETTERS);
  let clean = votes ? undefined : lettersOnly(head);
  const letters = votes ? votes.headLetters : letterCount(clean!);
  if (letters < 3) return UNDETERMINED;
  // Fast path for sentences: when function words agree clearly (eight votes or more, twice the
  // runner-up, which collects only the words languages share) the n-gram detector would only
  // confirm it, at ten times the cost.
  const vote = letters >= 60 ? (votes ? votes.head : functionWordVote(clean!, true)) : undefined;
  const decisive = vote !== undefined && vote.score >= 8 && vote.score >= 2 * vote.second;
  if (!decisive) clean ??= lettersOnly(head);
  const best = decisive
    ? { code: vote.language, score: vote.score, second: vote.second, reliable: true }
    : bestOf(clean!.length > DETECTION_CHARS ? clean!.slice(0, DETECTION_CHARS) : clean!);
  if (!best) return UNDETERMINED;
  const confidence = confidenceOf(best, letters);
  const mixed =
    letters >= 2 * SEGMENT_MIN_LETTERS &&
    supported.has(best.code) &&
    (votes ? votes.segmentLanguages >= 2 : isMixed(text.slice(0, MIXED_CHARS)));
  return { code: best.code, confidence, mixed };
}

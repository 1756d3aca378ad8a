/**
 * Segment-level language votes from function words, for the mixed-language flag. Function words
 * ("the", "und", "molto", "niet") identify a sentence's language cheaply and reliably once a
 * sentence has two or three of them; running the n-gram detector on every sentence would cost
 * as much as the rest of the stage together.
 */
import { charClass, LETTER, NUMBER } from './chars.js';

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

/** word → [language index, weight]: a word shared by k languages votes 1/k for each. */
const votes = new Map<string, [number, number][]>();
for (const [index, language] of languages.entries()) {
  for (const word of functionWords[language]!.split(' ')) {
    const key = word.toLowerCase();
    const list = votes.get(key) ?? [];
    list.push([index, 1]);
    votes.set(key, list);
  }
}
for (const list of votes.values()) for (const entry of list) entry[1] = 1 / list.length;

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
      if (i - start <= MAX_FUNCTION_WORD) {
        const weights = votes.get(lower.slice(start, i));
        if (weights) for (const [language, weight] of weights) scores[language]! += weight;
      }
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

/**
 * Segment-level language votes from function words, for the mixed-language flag. Function words
 * ("the", "und", "molto", "niet") identify a sentence's language cheaply and reliably once a
 * sentence has two or three of them; running the n-gram detector on every sentence would cost
 * as much as the rest of the stage together.
 */
import { wordsOf } from './fold.js';

const functionWords: Record<string, string> = {
  en: 'the and is was with this that it not but very for my have of to after would they you are been a in no',
  es: 'el la los las y es muy pero con para que una del por no mi se lo esta está fue despues después tengo de a en un al o',
  fr: 'le la les et est tres très mais avec pour que une des du pas je mon ma il ete été ce sont de a en un au aux',
  de: 'der die das und ist sehr aber mit fur für nicht ich ein eine mein es war nach zu auf habe sind in den dem',
  it: 'il lo la e è molto ma con per che una non mi mio sono del della dopo ho gli un in al le se o',
  pt: 'o a os as e é muito mas com para que uma nao não meu minha do da foi depois tenho sao são de em no na se',
  nl: 'de het een en is zeer erg maar met voor niet ik mijn van was na dat op heb zijn in',
};

/** word → [language, weight]: a word shared by k languages votes 1/k for each. */
const votes = new Map<string, [string, number][]>();
for (const [language, words] of Object.entries(functionWords)) {
  for (const word of words.split(' ')) {
    const key = word.toLowerCase();
    const list = votes.get(key) ?? [];
    list.push([language, 1]);
    votes.set(key, list);
  }
}
for (const list of votes.values()) for (const entry of list) entry[1] = 1 / list.length;

export interface FunctionWordVote {
  language: string;
  score: number;
  second: number;
}

/** Function-word votes of a text: the leading language, its score and the runner-up's. */
export function functionWordVote(text: string): FunctionWordVote | undefined {
  const scores = new Map<string, number>();
  for (const word of wordsOf(text.toLowerCase())) {
    if (word.length > 7) continue;
    for (const [language, weight] of votes.get(word) ?? [])
      scores.set(language, (scores.get(language) ?? 0) + weight);
  }
  let top: FunctionWordVote | undefined;
  for (const [language, score] of scores) {
    if (!top || score > top.score) top = { language, score, second: top?.score ?? 0 };
    else if (score > top.second) top.second = score;
  }
  return top;
}

/** The language a segment's function words point to, or undefined when they do not agree enough. */
export function segmentLanguage(segment: string): string | undefined {
  const scores = new Map<string, number>();
  // Function words are short and ASCII after folding; long words can be skipped unfolded.
  for (const word of wordsOf(segment.toLowerCase())) {
    if (word.length > 7) continue;
    for (const [language, weight] of votes.get(word) ?? [])
      scores.set(language, (scores.get(language) ?? 0) + weight);
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1] - a[1]);
  const [top, second] = ranked;
  if (!top || top[1] < 2) return undefined;
  if (second && second[1] * 2 > top[1]) return undefined;
  return top[0];
}

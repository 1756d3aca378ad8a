/**
 * Segment-level language votes from function words, for the mixed-language flag. Function words
 * ("the", "und", "molto", "niet") identify a sentence's language cheaply and reliably once a
 * sentence has two or three of them; running the n-gram detector on every sentence would cost
 * as much as the rest of the stage together.
 */
import { wordsOf } from './fold.js';

const functionWords: Record<string, string> = {
  en: "the and is was with this that it not but very for my have of to after would they you are it's i'm been",
  es: 'el la los las y es muy pero con para que una del por no mi se lo esta está fue despues después tengo pedido',
  fr: "le la les et est tres mais avec pour que une des du pas je mon ma il c'est ete été très ce sont j'ai",
  de: 'der die das und ist sehr aber mit fur für nicht ich ein eine mein es war nach zu auf habe sind',
  it: 'il lo la e è molto ma con per che una non mi mio sono del della dopo ho gli',
  pt: 'o a os as e é muito mas com para que uma nao não meu minha do da foi depois tenho sao são',
  nl: 'de het een en is zeer erg maar met voor niet ik mijn van was na dat op heb zijn',
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

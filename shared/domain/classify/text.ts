/**
 * Text preparation shared by the rules, the model's features and training: one folding so that
 * "Reißverschluss", "reissverschluss" and "REISSVERSCHLUSS" look alike, accents optional.
 */

/** Lower-case, NFKD without combining marks, ß → ss, curly quotes straightened. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"');
}

const tokenPattern = /[\p{L}\p{N}]+(?:'[\p{L}]+)?|\p{Extended_Pictographic}|[!?]/gu;

/** Words (with an English/French elision kept whole), emoji and ! ? as separate tokens. */
export function tokenize(folded: string): string[] {
  return folded.match(tokenPattern) ?? [];
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

const NEGATION_SCOPE = 3;

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

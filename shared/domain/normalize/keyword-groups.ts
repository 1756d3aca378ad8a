/**
 * Which groups of literal keywords occur in a text, in one pass over it. The same answer as
 * testing one alternation regex per group (`/Street|St|Avenue/.test(text)`), for less: V8 cannot
 * skip ahead in an alternation of many unrelated words, so each such test tries every
 * alternative at every position, and in the whole stage those tests cost several times what they
 * cost on their own (measured in docs/normalize.md, round 5).
 *
 * Each keyword starts with two ASCII characters; a table indexed by those two characters says
 * which groups have a keyword starting so, and only there are the keywords compared. Matching is
 * case-sensitive, as regexes without the `i` flag are.
 */
const ASCII = 128;

interface Keyword {
  word: string;
  bit: number;
  /** The word's third character, or -1 for two-character words: compared before the whole word. */
  third: number;
}

export class KeywordGroups {
  /**
   * Bit per bigram (first char × 128 + second char) that some keyword starts with: 2 KB, read for
   * every character, so it stays in the L1 cache where the 64 KB groupsByBigram would not.
   */
  private readonly startsKeyword = new Int32Array((ASCII * ASCII) / 32);
  /** Bigram → bit per group with a keyword starting so. */
  private readonly groupsByBigram = new Uint32Array(ASCII * ASCII);
  /** Bigram → the keywords starting so, with their group's bit. */
  private readonly keywordsByBigram: Keyword[][] = [];
  private readonly allGroups: number;

  constructor(groups: readonly (readonly string[])[]) {
    if (groups.length > 31) throw new Error('KeywordGroups: at most 31 groups');
    this.allGroups = groups.length === 0 ? 0 : 2 ** groups.length - 1;
    groups.forEach((words, index) => {
      for (const word of words) {
        const first = word.charCodeAt(0);
        const second = word.charCodeAt(1);
        if (!(word.length >= 2 && first < ASCII && second < ASCII))
          throw new Error(`KeywordGroups: '${word}' does not start with two ASCII characters`);
        const bigram = first * ASCII + second;
        this.startsKeyword[bigram >>> 5]! |= 1 << (bigram & 31);
        this.groupsByBigram[bigram]! |= 1 << index;
        (this.keywordsByBigram[bigram] ??= []).push({
          word,
          bit: 1 << index,
          third: word.length > 2 ? word.charCodeAt(2) : -1,
        });
      }
    });
  }

  /** Bit `1 << k` is set when a keyword of group k occurs in `text`. */
  groupsIn(text: string): number {
    const startsKeyword = this.startsKeyword;
    let found = 0;
    const last = text.length - 1;
    let next = last > 0 ? text.charCodeAt(0) : 0;
    for (let i = 0; i < last; i++) {
      const first = next;
      next = text.charCodeAt(i + 1);
      if ((first | next) >= ASCII) continue;
      const bigram = first * ASCII + next;
      if ((startsKeyword[bigram >>> 5]! & (1 << (bigram & 31))) === 0) continue;
      if ((this.groupsByBigram[bigram]! & ~found) === 0) continue;
      const keywords = this.keywordsByBigram[bigram]!;
      const third = i + 2 <= last ? text.charCodeAt(i + 2) : -2;
      for (let k = 0; k < keywords.length; k++) {
        const keyword = keywords[k]!;
        if ((found & keyword.bit) !== 0 || (keyword.third !== third && keyword.third !== -1)) continue;
        if (text.startsWith(keyword.word, i)) found |= keyword.bit;
      }
      if (found === this.allGroups) break;
    }
    return found;
  }
}

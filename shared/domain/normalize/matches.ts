/**
 * `[...subject.matchAll(pattern)]` without matchAll's copy of the pattern: matchAll constructs a
 * new RegExp on every call (V8 then looks the source up in its compilation cache), which cost
 * more than the search itself for the short texts here. `pattern` must be global; its lastIndex
 * is 0 before and after, as for every global pattern of this package at rest.
 */
export function allMatches(pattern: RegExp, subject: string): RegExpExecArray[] {
  const matches: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(subject); match; match = pattern.exec(subject)) {
    matches.push(match);
    // An empty match would find itself again: step over it as matchAll does.
    if (match[0] === '') pattern.lastIndex = nextIndex(subject, pattern.lastIndex, pattern.unicode);
  }
  return matches;
}

/** The index after `index`: one code unit, or a surrogate pair in unicode mode (AdvanceStringIndex). */
function nextIndex(subject: string, index: number, unicode: boolean): number {
  if (!unicode || index + 1 >= subject.length) return index + 1;
  const code = subject.charCodeAt(index);
  if (code < 0xd800 || code > 0xdbff) return index + 1;
  const next = subject.charCodeAt(index + 1);
  return next >= 0xdc00 && next <= 0xdfff ? index + 2 : index + 1;
}

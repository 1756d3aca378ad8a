/**
 * Text clean-up before anything else looks at the text: HTML to plain text, Unicode NFKC,
 * quoted e-mail replies and signatures cut from tickets, whitespace tidied. Emoji are kept:
 * they carry sentiment.
 */
import { compile } from 'html-to-text';

export type TextFormat = 'plain' | 'html' | 'email';

const HTML_TAG = /<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>/i;

export function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

/**
 * Compiled once: `convert(html, options)` would merge the options and build the selector decision
 * trees again for every text, which cost more than the conversion itself.
 */
const convertHtml = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'blockquote', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

export function htmlToText(html: string): string {
  return convertHtml(html);
}

/**
 * A line that starts a quoted reply or the original message below a reply, in the supported
 * languages ("On Mon, Anna wrote:", "El lunes, Ana escribió:", "Le 3 mars, Anne a écrit :",
 * "Am 3. März schrieb Anna:", "Il giorno ... ha scritto:", "Em ... escreveu:", "Op ... schreef ...:").
 */
const QUOTE_HEADER =
  /^(?:on\b.{0,120}\bwrote:?|el\b.{0,120}\bescribi[oó]:?|le\b.{0,120}\ba [ée]crit\s?:?|am\b.{0,120}\bschrieb\b.{0,80}|il giorno\b.{0,120}\bha scritto:?|.{0,120}\bha scritto:|em\b.{0,120}\bescreveu:?|op\b.{0,120}\bschreef\b.{0,80}|-{2,}\s*(?:original message|mensaje original|message d'origine|ursprüngliche nachricht|messaggio originale|mensagem original|oorspronkelijk bericht)\s*-{2,}|(?:from|de|von|da|van):\s.+@.+|_{10,})$/i;

/** Mobile sign-offs and the RFC 3676 signature separator: everything after them is not feedback. */
const SIGNATURE_START =
  /^(?:--\s?|sent from my .+|get outlook for .+|enviado desde mi .+|envoy[ée] de mon .+|von meinem .+ gesendet|inviato da(?:l mio)? .+|enviado do meu .+|verzonden (?:vanaf|met) (?:mijn )?.+)$/i;

/** Cuts quoted replies and signatures from an e-mail-like ticket body. */
export function stripEmailReplies(text: string): string {
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (QUOTE_HEADER.test(trimmed) || SIGNATURE_START.test(trimmed)) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line);
  }
  return kept.join('\n');
}

// Control characters other than tab and newline, zero-width characters (but not the joiner that
// builds emoji sequences), and the byte-order mark.
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\u200C\u200E\u200F\u2060\uFEFF]/g;
// eslint-disable-next-line no-control-regex -- the same class, to test before replacing
const INVISIBLE_TEST = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\u200C\u200E\u200F\u2060\uFEFF]/;

const SPACES = /[ \t\u00A0\u2000-\u200A\u202F\u205F\u3000]+/g;
/** What SPACES would change: a run of two or more, or a space other than ' '. */
const UNTIDY_SPACES = /[\t\u00A0\u2000-\u200A\u202F\u205F\u3000]| {2}/;

export function tidyWhitespace(text: string): string {
  const unix = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  // Most texts are spaced with single ' ': the replacement would copy them unchanged.
  const spaced = UNTIDY_SPACES.test(unix) ? unix.replace(SPACES, ' ') : unix;
  // Most feedback is one paragraph: no lines to trim one by one.
  if (!spaced.includes('\n')) return spaced.trim();
  return spaced
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function cleanText(raw: string, format: TextFormat = 'plain'): string {
  let text = raw;
  if (format === 'html' || (text.includes('<') && looksLikeHtml(text))) text = htmlToText(text);
  text = text.normalize('NFKC');
  if (INVISIBLE_TEST.test(text)) text = text.replace(INVISIBLE, '');
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  if (format === 'email' || format === 'html') text = stripEmailReplies(text);
  return tidyWhitespace(text);
}

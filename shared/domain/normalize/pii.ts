/**
 * PII redaction. Detectors run in priority order over the cleaned text and return spans; the
 * spans are resolved (an earlier detector wins an overlap) and replaced. Order and tracking
 * numbers become keyed tokens (`[ORDER:ab12cd34]`) so items about the same order stay linked;
 * everything else becomes a type placeholder (`[EMAIL]`). The result says which types were
 * found, never the values.
 *
 * Look-alikes that must survive (prices, dates, SKUs, quantities, versions) are kept out by
 * checksums (Luhn, IBAN mod-97), digit counts, cue phrases and explicit exclusions.
 */
import { charClass, LETTER, lowerCase } from './chars.js';
import { KeywordGroups } from './keyword-groups.js';
import { allMatches } from './matches.js';
import { orderToken, trackingToken } from './tokens.js';

export const piiTypes = ['EMAIL', 'IBAN', 'CARD', 'TRACKING', 'ORDER', 'PHONE', 'ADDRESS', 'NAME'] as const;
export type PiiType = (typeof piiTypes)[number];

export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
  /** The matched personal value (never leaves this module's callers except for evaluation). */
  value: string;
  /** Replacement text. */
  replacement: string;
}

export interface RedactionResult {
  text: string;
  piiTypes: PiiType[];
  spans: PiiSpan[];
  orderTokens: string[];
  trackingTokens: string[];
}

export interface RedactionOptions {
  tokenKey: string;
  /** Names known from the payload (reviewer, customer); redacted wherever they appear. */
  knownPersonNames?: string[];
}

/**
 * `lower` is the text in lower case when that keeps every index (almost always), else undefined:
 * case-insensitive cue patterns run on it without the `i` flag, several times faster in V8.
 */
type Detector = (text: string, options: RedactionOptions, lower: string | undefined, cues: Cues) => PiiSpan[];

/**
 * The cue words a text holds, from two passes over it (KeywordGroups) instead of one regex scan
 * per cue family: a detector skips the scans whose words are not there. Each `*_WORDS` list holds
 * a word that every match of its pattern contains.
 */
interface Cues {
  /** Bit per street pattern (STREET_PATTERNS order) whose street words are in the text. */
  streets: number;
  titles: boolean;
  orderCue: boolean;
  trackingCue: boolean;
  addressCue: boolean;
  signOff: boolean;
}

/** The same pattern for lower-case text: no `i` flag (its source has no upper-case literal). */
function forLowerCase(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.replace('i', ''));
}

/** Whether the character before `index` is a letter: the `(?<![\p{L}])` check, done after a match. */
function letterBefore(text: string, index: number): boolean {
  if (index === 0) return false;
  let code = text.charCodeAt(index - 1);
  if (code >= 0xdc00 && code < 0xe000 && index >= 2) code = text.codePointAt(index - 2) ?? code;
  return charClass(code) === LETTER;
}

/**
 * Matches of a global pattern that must not follow a letter, like `(?<![\p{L}])pattern`: a
 * leading lookbehind keeps V8 from skipping ahead to where the pattern can start, so the check is
 * done on each match instead, and a rejected match restarts the search one character later.
 */
function* matchesNotAfterLetter(pattern: RegExp, subject: string, text: string): Generator<RegExpExecArray> {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(subject); match; match = pattern.exec(subject)) {
    if (letterBefore(text, match.index)) {
      pattern.lastIndex = match.index + 1;
      continue;
    }
    yield match;
    if (match[0].length === 0) pattern.lastIndex++;
  }
}

/**
 * Matches of a case-insensitive cue pattern: none when its cue words are not in the text (Cues),
 * else those of its lower-case form on `lower`, or of the pattern itself on the text without one.
 */
function cueMatches(
  present: boolean,
  pattern: RegExp,
  lowerCasePattern: RegExp,
  text: string,
  lower: string | undefined,
): RegExpExecArray[] {
  if (!present) return [];
  return lower === undefined ? allMatches(pattern, text) : allMatches(lowerCasePattern, lower);
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function span(type: PiiType, start: number, value: string, replacement = `[${type}]`): PiiSpan {
  return { type, start, end: start + value.length, value, replacement };
}

function digitsOf(value: string): string {
  return value.replace(/\D/g, '');
}

// ---------- checksums ----------

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** IBAN lengths by country (ISO 13616 registry, European and common ones). */
const ibanLengths: Record<string, number> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TR: 26,
};

export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/\s/g, '').toUpperCase();
  const expected = ibanLengths[iban.slice(0, 2)];
  if (expected === undefined ? iban.length < 15 || iban.length > 34 : iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const chunk = code >= 65 ? String(code - 55) : char;
    for (const digit of chunk) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

// ---------- detectors ----------

const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/uy;
const OBFUSCATED_EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+\s?[[(](?:at|arroba)[\])]\s?[\p{L}\p{N}-]+(?:\s?[[(](?:dot|punto|point)[\])]\s?\p{L}{2,})+/giu;
const OBFUSCATED_AT = /[[(](?:at|arroba)[\])]/i;
/** The character class of an address's local part, `[\p{L}\p{N}._%+-]`. */
const LOCAL_PART = /[\p{L}\p{N}._%+-]/u;

/** Width (1 or 2 code units) of the local-part character ending at `end`, or 0 when there is none. */
function localPartCharBefore(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  if (code < 0x80)
    return (code >= 97 && code <= 122) ||
      (code >= 65 && code <= 90) ||
      (code >= 48 && code <= 57) ||
      code === 46 || // .
      code === 95 || // _
      code === 37 || // %
      code === 43 || // +
      code === 45 // -
      ? 1
      : 0;
  const width = code >= 0xdc00 && code < 0xe000 && end >= 2 && /[\ud800-\udbff]/.test(text[end - 2]!) ? 2 : 1;
  return LOCAL_PART.test(text.slice(end - width, end)) ? width : 0;
}

/**
 * Addresses in text order, as a global search for EMAIL would find them, without scanning the
 * whole text: a match holds exactly one '@' and starts where the run of local-part characters
 * before it starts, so the pattern is tried there only (sticky), once per '@'.
 */
function* emailMatches(text: string): Generator<RegExpExecArray> {
  let searchedTo = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    let width = start > 0 ? localPartCharBefore(text, start) : 0;
    while (width > 0) {
      start -= width;
      width = start > 0 ? localPartCharBefore(text, start) : 0;
    }
    // A match starting before the end of the last one is one the global search skips past.
    if (start === at || start < searchedTo) continue;
    EMAIL.lastIndex = start;
    const match = EMAIL.exec(text);
    if (!match) continue;
    searchedTo = match.index + match[0].length;
    yield match;
  }
}

const detectEmails: Detector = (text) => {
  const spans: PiiSpan[] = [];
  for (const match of emailMatches(text)) spans.push(span('EMAIL', match.index, match[0]));
  if (OBFUSCATED_AT.test(text))
    for (const match of allMatches(OBFUSCATED_EMAIL, text)) spans.push(span('EMAIL', match.index, match[0]));
  return spans;
};

const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/gi;

const detectIbans: Detector = (text) => {
  const spans: PiiSpan[] = [];
  for (const match of allMatches(IBAN, text)) {
    let value = match[0];
    // The optional tail can swallow a following word ("... 3000 Danke"): try shorter forms.
    while (value.length >= 15 && !ibanValid(value)) {
      const cut = value.lastIndexOf(' ');
      if (cut < 0) break;
      value = value.slice(0, cut);
    }
    if (ibanValid(value)) spans.push(span('IBAN', match.index, value));
  }
  return spans;
};

const CARD = /(?<![\d.,])(?:\d[ -]?){12,18}\d(?![\d.,]\d)/g;

const detectCards: Detector = (text) => {
  const spans: PiiSpan[] = [];
  for (const match of allMatches(CARD, text)) {
    const digits = digitsOf(match[0]);
    if (digits.length < 13 || digits.length > 19) continue;
    if (!'23456'.includes(digits[0] ?? '')) continue;
    if (luhnValid(digits)) spans.push(span('CARD', match.index, match[0].trim()));
  }
  return spans;
};

/** Cue words before an order number, per language. */
const ORDER_CUE =
  /\b(?:order(?:\s+(?:number|no\.?|nr\.?|id|ref(?:erence)?))?|pedido(?:\s+(?:n\.?[º°o]\.?|número|numero|nr\.?))?|(?:n[º°o]\.?|número|numero)\s+de\s+pedido|referencia\s+del\s+pedido|commande(?:\s+n\.?[º°o]\.?)?|(?:n[º°o]\.?|numéro|numero)\s+de\s+(?:la\s+)?commande|bestellung(?:\s+(?:nr\.?|nummer))?|bestellnummer|auftragsnummer|auftrag(?:\s+nr\.?)?|ordine(?:\s+(?:n\.?|numero|nr\.?))?|(?:n\.|numero)\s+(?:d'|dell')?ordine|encomenda(?:\s+(?:n\.?[º°o]\.?|número|numero|nr\.?))?|(?:n\.?[º°]|número|numero)\s+da\s+encomenda|bestelling(?:\s+(?:nr\.?|nummer))?|bestelnummer|ordernummer)(?![\p{L}])(?:\s*(?:#|:|n\.?[º°o]\.?|nr\.?|number:?|(?:is|es|est|ist|è|é|é o|is het)(?=\s)))*\s*#?\s*/giu;
/** Words every ORDER_CUE match contains. */
const ORDER_CUE_WORDS = 'order|pedido|commande|bestel|auftrag|ordine|encomenda';
const ORDER_ID = /^[A-Z]{0,4}[-#]?\d[\d-]{2,18}\d(?:[A-Z]{1,3})?(?![\w@])/i;
const ORDER_CUE_LOWER = forLowerCase(ORDER_CUE);
const HASH_ORDER = /(?<![\w&#])#\d{3,10}\b/g;

const detectOrders: Detector = (text, { tokenKey }, lower, cues) => {
  const spans: PiiSpan[] = [];
  const orderCues = cueMatches(cues.orderCue, ORDER_CUE, ORDER_CUE_LOWER, text, lower);
  for (const cue of orderCues) {
    const at = cue.index + cue[0].length;
    const id = ORDER_ID.exec(text.slice(at, at + 40));
    if (!id || digitsOf(id[0]).length < 3) continue;
    spans.push(span('ORDER', at, id[0], `[ORDER:${orderToken(id[0], tokenKey)}]`));
  }
  for (const match of text.includes('#') ? allMatches(HASH_ORDER, text) : []) {
    spans.push(span('ORDER', match.index, match[0], `[ORDER:${orderToken(match[0], tokenKey)}]`));
  }
  return spans;
};

const TRACKING_CUE =
  /\b(?:tracking(?:\s+(?:number|no\.?|nr\.?|code|id|ref))?|track(?:ing)?\s?(?:&|and|n|-)\s?trace(?:\s+code)?|(?:n[º°o]\.?|número|numero|código|codigo)\s+de\s+(?:seguimiento|rastreo|env[ií]o)|seguimiento|(?:n[º°o]\.?|numéro)\s+de\s+suivi|suivi(?:\s+colis)?|sendungsnummer|sendungsverfolgung|paketnummer|trackingnummer|tracking-nummer|(?:codice|numero)\s+(?:di\s+)?(?:tracciamento|tracking|spedizione)|tracciamento|(?:código|codigo|número|numero)\s+de\s+(?:rastreio|rastreamento|objeto)|rastreio|rastreamento|zendingnummer|trackingcode|barcode)(?:\s*(?:#|:|is|es|est|ist|è|é|lautet))*\s*/giu;
const TRACKING_CUE_LOWER = forLowerCase(TRACKING_CUE);
/** Words every TRACKING_CUE match contains. */
const TRACKING_CUE_WORDS =
  'track|seguim|rastre|suivi|sendung|paket|tracciam|spedizion|zending|barcode|objeto|envio|envío';
const TRACKING_ID = /^(?=[A-Z0-9-]*\d{6})[A-Z0-9][A-Z0-9-]{7,34}(?![\w@])/i;
/**
 * Carrier formats, each with a test of what it cannot match without (a literal prefix, nine
 * digits in a row): most texts have none, and five full scans cost more than the five tests.
 */
const NINE_DIGITS = /\d{9}/;
const TRACKING_FORMATS: { pattern: RegExp; possible: (text: string) => boolean }[] = [
  { pattern: /\b1Z[0-9A-Z]{16}\b/g, possible: (text) => text.includes('1Z') }, // UPS
  { pattern: /\b[A-Z]{2}\d{9}[A-Z]{2}\b/g, possible: (text) => NINE_DIGITS.test(text) }, // UPU S10 (RR123456789DE)
  { pattern: /\b3S[A-Z]{4}\d{6,10}\b/g, possible: (text) => text.includes('3S') }, // PostNL
  { pattern: /\bJJD\d{16,20}\b/g, possible: (text) => text.includes('JJD') }, // DHL parcel
  { pattern: /\b9[2-5]\d{20}\b/g, possible: (text) => NINE_DIGITS.test(text) }, // USPS
];

const detectTracking: Detector = (text, { tokenKey }, lower, cues) => {
  const spans: PiiSpan[] = [];
  const add = (start: number, value: string): void => {
    spans.push(span('TRACKING', start, value, `[TRACKING:${trackingToken(value, tokenKey)}]`));
  };
  const trackingCues = cueMatches(cues.trackingCue, TRACKING_CUE, TRACKING_CUE_LOWER, text, lower);
  for (const cue of trackingCues) {
    const at = cue.index + cue[0].length;
    const id = TRACKING_ID.exec(text.slice(at, at + 40));
    if (id) add(at, id[0]);
  }
  for (const { pattern, possible } of TRACKING_FORMATS)
    if (possible(text)) for (const match of allMatches(pattern, text)) add(match.index, match[0]);
  return spans;
};

const PHONE = /(?<![\w+\-/.,])(?:\+|00)?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s()./-]{5,}\d(?![\w\-/]|[.,]\d)/g;
const PHONE_CUE =
  /(?:phone|tel(?:ephone)?|call(?: me)?|mobile|cell|whats ?app|text me|m[oó]vil|tel[eé]fono|ll[aá]m(?:a|e|ame)|t[eé]l[eé]phone|portable|appelez|joindre|telefon|handy|anrufen|erreichbar|cellulare|chiam(?:a|are|ami)|telem[oó]vel|telefone|ligue|liga|bel(?: me)?|telefoon|mobiel|nummer|numero|número|num[eé]ro)\W{0,12}$/i;
const DATE_LIKE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/;
const TIME_OR_RANGE = /^\d{1,2}[:.]\d{2}(?:\s?-\s?\d{1,2}[:.]\d{2})?$/;

function isPhone(candidate: string, before: string, after: string): boolean {
  const value = candidate.trim();
  const digits = digitsOf(value);
  const international = value.startsWith('+') || value.startsWith('00');
  if (digits.length < (international ? 8 : 9) || digits.length > 15) return false;
  if (DATE_LIKE.test(value) || TIME_OR_RANGE.test(value)) return false;
  if (/^[$€£¥]\s?$|(?:EUR|USD|GBP)\s?$/i.test(before.slice(-4))) return false;
  if (/^\s?(?:[€$£%]|eur\b|usd\b|kr\b|ml\b|mm\b|cm\b|kg\b|g\b|x\b)/i.test(after)) return false;
  // Versions and thousands ('1.2.3.4', '1.234.567') use dots only; of those, only the French
  // '07.81.23.45.67' is a phone number.
  if (/^[\d.]+$/.test(value) && !/^0\d(?:\.\d{2}){4}$/.test(value)) return false;
  if (international) return true;
  if (PHONE_CUE.test(before)) return true;
  if (/^\(?0\d/.test(value)) return true; // national trunk prefix: 06 12 34 56 78, 030 1234567
  if (/^\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}$/.test(value)) return true; // North American
  if (/^[6789]\d{2}[\s.]?\d{3}[\s.]?\d{3}$/.test(value)) return true; // ES/PT mobiles and landlines
  if (/^[6789]\d{2}(?:[\s.]\d{2}){3}$/.test(value)) return true; // ES: 678 90 12 34
  if (/^2\d{2}[\s.]\d{3}[\s.]\d{3}$/.test(value)) return true; // PT landlines: 213 456 789
  if (/^3\d{2}[\s.]?\d{3}[\s.]?\d{3,4}$/.test(value)) return true; // IT mobiles
  return false;
}

const detectPhones: Detector = (text) => {
  const spans: PiiSpan[] = [];
  for (const match of allMatches(PHONE, text)) {
    let value = match[0].replace(/[\s(.-]+$/, '');
    if (value.startsWith('(') === false && value.includes(')') && !value.includes('('))
      value = value.split(')')[0] ?? value;
    const before = text.slice(Math.max(0, match.index - 40), match.index);
    const after = text.slice(match.index + value.length, match.index + value.length + 6);
    if (isPhone(value, before, after)) spans.push(span('PHONE', match.index, value));
  }
  return spans;
};

// Street addresses: a street type with a name and a house number, in each language's order,
// optionally followed by a postal code and city.
const CAP = String.raw`\p{Lu}[\p{L}'’.-]*`;
const CAP_WORDS = String.raw`${CAP}(?:\s+(?:(?:de|del|de la|de los|de las|da|do|das|dos|di|della|dei|degli|du|des|von|van|der|den|la|le|les|l'|d')\s+)?${CAP}){0,3}`;
const HOUSE = String.raw`\d{1,5}(?:\s?[a-zA-Z](?![\p{L}]))?(?:\s?(?:bis|ter))?`;
const STREET_PATTERNS = [
  // English: 221B Baker Street, 12 Oak Ave., 400 W Main St, Apt 4
  String.raw`\b${HOUSE}\s+(?:[NSEW]\.?\s+)?${CAP_WORDS}\s+(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Way|Court|Ct\.?|Place|Pl\.?|Terrace|Close|Crescent|Square|Sq\.?|Gardens|Grove|Row|Parkway|Pkwy\.?|Highway|Hwy\.?)(?![\p{L}])(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat|Floor)\.?\s*#?\w+)?`,
  // Spanish: Calle Mayor 5, C/ de Alcalá, 42, 3º B, Avenida de la Constitución nº 12
  String.raw`(?<![\p{L}])(?:[Cc]alle|C\/|[Aa]vda\.?|[Aa]venida|[Pp]aseo|[Pp]laza|[Pp]za\.?|[Cc]amino|[Cc]arrera|[Rr]onda|[Tt]raves[ií]a|[Cc]arretera)\s*${CAP_WORDS.replace(String.raw`${CAP}(?:`, String.raw`(?:(?:de|del|de la|de los|de las)\s+)?${CAP}(?:`)},?\s*(?:n[º°o]\.?\s*)?${HOUSE}(?:,?\s*\d{1,2}\s?[º°]?\s?[A-Za-z]?(?![\p{L}\d]))?`,
  // French: 12 rue de la Paix, 5 bis avenue Victor Hugo
  String.raw`\b${HOUSE},?\s+(?:rue|avenue|av\.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours|square)\s+(?:de la |de l'|des |du |de |d')?[\p{L}'’-]+(?:\s+${CAP}){0,3}`,
  // German and Dutch compounds: Hauptstraße 5, Bahnhofstr. 12a, Kerkstraat 12, Lindenlaan 3
  String.raw`\b${CAP}?(?:straße|strasse|str\.|weg|allee|platz|gasse|damm|ufer|straat|laan|plein|gracht|kade|singel|dreef)\s*${HOUSE}(?![\d]|[.,]\d)`,
  String.raw`\b(?:Am|An der|Auf der|Im|In der|Unter den)\s+${CAP}\s+${HOUSE}(?![\d]|[.,]\d)`,
  // Italian: Via Roma 10, Viale dei Mille, 23, Piazza Garibaldi n. 4
  String.raw`(?<![\p{L}])(?:Via|Viale|Piazza|P\.zza|Corso|Largo|Vicolo|Strada)\s+${CAP_WORDS.replace(String.raw`${CAP}(?:`, String.raw`(?:(?:dei|degli|delle|della|del|di)\s+)?${CAP}(?:`)},?\s*(?:n\.?\s*)?${HOUSE}`,
  // Portuguese: Rua das Flores 25, Av. da Liberdade, 110, Travessa do Carmo nº 3
  String.raw`(?<![\p{L}])(?:Rua|R\.|Avenida|Av\.|Travessa|Largo|Pra[çc]a|Estrada|Alameda)\s+${CAP_WORDS.replace(String.raw`${CAP}(?:`, String.raw`(?:(?:da|do|das|dos|de)\s+)?${CAP}(?:`)},?\s*(?:n\.?\s?[º°]?\s*)?${HOUSE}`,
];
/** Words separated by '|'; a leading '~' stands for the word with either case of its first letter. */
function keywords(list: string): string[] {
  return list
    .split('|')
    .flatMap((word) =>
      word.startsWith('~')
        ? [word[1]!.toUpperCase() + word.slice(2), word[1]!.toLowerCase() + word.slice(2)]
        : [word],
    );
}
/**
 * Words each street pattern cannot match without (same order), case-sensitive: a text gets an
 * alternation of only the patterns it can match, which gives the same matches as all of them for
 * less work.
 */
export const STREET_KEYWORDS: readonly (readonly string[])[] = [
  'Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Terrace|Close|Crescent|Square|Sq|Gardens|Grove|Row|Parkway|Pkwy|Highway|Hwy',
  '~calle|C/|~avda|~avenida|~paseo|~plaza|~pza|~camino|~carrera|~ronda|~travesia|~travesía|~carretera',
  'rue|avenue|av.|boulevard|bd|place|chemin|allée|impasse|quai|route|cours|square',
  'straße|strasse|str.|weg|allee|platz|gasse|damm|ufer|straat|laan|plein|gracht|kade|singel|dreef',
  'Am|An der|Auf der|Im|In der|Unter den',
  'Via|Viale|Piazza|P.zza|Corso|Largo|Vicolo|Strada',
  'Rua|R.|Avenida|Av.|Travessa|Largo|Praça|Praca|Estrada|Alameda',
].map(keywords);
const streetPatterns = new Map<number, RegExp>();

/** The street patterns of `mask` (bits of Cues.streets) as one global pattern; undefined for none. */
function streetPatternFor(mask: number): RegExp | undefined {
  if (mask === 0) return undefined;
  let pattern = streetPatterns.get(mask);
  if (!pattern) {
    const chosen = STREET_PATTERNS.filter((_, index) => mask & (1 << index));
    pattern = new RegExp(chosen.map((source) => `(?:${source})`).join('|'), 'gu');
    streetPatterns.set(mask, pattern);
  }
  return pattern;
}
/** Postal code and city after a street: 28013 Madrid, 1012 AB Amsterdam, 1100-148 Lisboa, SW1A 1AA. */
const POSTAL_TAIL = new RegExp(
  String.raw`^,?\s*(?:(?:${CAP}\s+)?[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|(?:[A-Z]{1,2}-)?\d{4,5}(?:-\d{3})?(?:\s?[A-Z]{2}(?![\p{L}]))?\s+${CAP}(?:\s+${CAP})?|${CAP}(?:\s+${CAP})?,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)(?:,?\s*(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b))?`,
  'u',
);
const ADDRESS_CUE =
  /\b(?:my address is|(?:ship|send|deliver) (?:it )?to|mi direcci[oó]n es|dirección:|env[ií](?:a|e)lo a|mon adresse (?:est|:)|adresse\s?:|meine adresse (?:ist|lautet)|adresse:|lieferadresse:?|il mio indirizzo [eè]|indirizzo:|a minha morada [eé]|o meu endere[çc]o [eé]|meu endere[çc]o [eé]|morada:|endere[çc]o:|mijn adres is|adres:)\s*/giu;

const ADDRESS_CUE_LOWER = forLowerCase(ADDRESS_CUE);
/** Words every ADDRESS_CUE match contains. */
const ADDRESS_CUE_WORDS =
  'address|adres|ship|send|deliver|direcci|envialo|envielo|envíalo|envíelo|indirizzo|morada|endere';

const detectAddresses: Detector = (text, _options, lower, cues) => {
  const spans: PiiSpan[] = [];
  const streets = streetPatternFor(cues.streets);
  for (const match of streets ? allMatches(streets, text) : []) {
    const tail = POSTAL_TAIL.exec(text.slice(match.index + match[0].length));
    spans.push(span('ADDRESS', match.index, match[0] + (tail ? tail[0] : '')));
  }
  const addressCues = cueMatches(cues.addressCue, ADDRESS_CUE, ADDRESS_CUE_LOWER, text, lower);
  for (const cue of addressCues) {
    const at = cue.index + cue[0].length;
    const rest = text.slice(at, at + 120);
    // Up to the end of the sentence or line; an address holds a digit.
    const end = rest.search(/\n|[.!?](?:\s|$)|\s(?:and|y|et|und|e|en|but|pero|mais|aber|ma|mas|maar)\s/);
    const value = (end < 0 ? rest : rest.slice(0, end)).replace(/[\s,;]+$/, '');
    if (/\d/.test(value) && value.length >= 6) spans.push(span('ADDRESS', at, value));
  }
  return spans;
};

// Person names introduced by cue phrases, titles and sign-offs.
const NAME_WORD = String.raw`\p{Lu}(?:\p{Ll}+(?:['’-]\p{Lu}?\p{Ll}+)*|['’]\p{Lu}\p{Ll}+)`;
const PERSON = String.raw`${NAME_WORD}(?:\s+(?:(?:de|del|da|di|do|dos|das|van|von|der|den|ter|la|le|van der|van den|de la)\s+)?${NAME_WORD}){0,3}`;
const NAME_CUES = [
  String.raw`my name is|my name's|name:|i am called|call me`,
  String.raw`me llamo|mi nombre es|nombre:|soy (?=\p{Lu}\p{Ll}+\s+\p{Lu})`,
  String.raw`je m'appelle|je m’appelle|mon nom est|nom\s?:|je suis (?=\p{Lu}\p{Ll}+\s+\p{Lu})`,
  String.raw`ich heiße|ich heisse|mein name ist|name:`,
  String.raw`mi chiamo|il mio nome è|nome:`,
  String.raw`chamo-me|me chamo|o meu nome é|meu nome é|nome:`,
  String.raw`mijn naam is|ik heet|naam:`,
];
const TITLE_WORDS =
  'Mr|Mrs|Ms|Miss|Dr|Sr|Sra|Srta|Don|Doña|Monsieur|Madame|Mme|Mlle|Herr|Frau|Sig|Sig.ra|Signor|Signora|Dott|Dhr|Mevr|Mevrouw|Meneer';
const SIGN_OFF_WORDS =
  'regards|best regards|kind regards|thanks|thank you|many thanks|cheers|best|saludos|un saludo|gracias|atentamente|cordialement|merci|bien à vous|mit freundlichen grüßen|viele grüße|liebe grüße|grüße|danke|gruß|grazie|cordiali saluti|saluti|obrigado|obrigada|atenciosamente|cumprimentos|met vriendelijke groet|groeten|groetjes|bedankt|dank je|dank u';
/** A '|'-separated word list as a regex alternation of those literal words. */
function alternation(words: string): string {
  return words.split('|').map(escapeRegExp).join('|');
}
const TITLES = alternation(TITLE_WORDS);
const SIGN_OFFS = alternation(SIGN_OFF_WORDS);
// Cue phrases are case-insensitive, names must start upper-case: JS has no inline flags, so the
// cue alternatives are matched on their own and the name checked after.
const NAME_CUE = new RegExp(String.raw`(?<![\p{L}])(?:${NAME_CUES.join('|')})\s*`, 'giu');
const SIGN_OFF = new RegExp(String.raw`(?<![\p{L}])(?:${SIGN_OFFS})[,!.]?\s*(?:\n|-\s?)?\s*`, 'giu');
// The same patterns for matchesNotAfterLetter (the leading lookbehind checked per match), the
// cue ones for lower-case text; the lookahead after 'soy' and 'je suis' is checked on the
// original text, under the `i` flag as in NAME_CUE (so it asks for letters, not capitals).
const LOOKAHEAD = /\(\?=[^)]*\)/g;
const NAME_CUE_LOWER = new RegExp(String.raw`(?:${NAME_CUES.join('|').replace(LOOKAHEAD, '')})\s*`, 'gu');
const NAME_CUE_NEEDS_LOOKAHEAD = /^(?:soy |je suis )/;
const NAME_CUE_LOOKAHEAD = /\p{Lu}\p{Ll}+\s+\p{Lu}/iuy;
const TITLE_NAME = new RegExp(String.raw`(?:${TITLES})\.?\s+(${PERSON})`, 'gu');
const SIGN_OFF_LOWER = new RegExp(String.raw`(?:${SIGN_OFFS})[,!.]?\s*(?:\n|-\s?)?\s*`, 'gu');

function* nameCues(text: string, lower: string | undefined): Generator<{ index: number; 0: string }> {
  if (lower === undefined) {
    yield* allMatches(NAME_CUE, text);
    return;
  }
  for (const cue of matchesNotAfterLetter(NAME_CUE_LOWER, lower, text)) {
    const lookahead = NAME_CUE_NEEDS_LOOKAHEAD.exec(cue[0]);
    if (lookahead) {
      NAME_CUE_LOOKAHEAD.lastIndex = cue.index + lookahead[0].length;
      if (!NAME_CUE_LOOKAHEAD.test(text)) {
        NAME_CUE_LOWER.lastIndex = cue.index + 1;
        continue;
      }
    }
    yield cue;
  }
}
const PERSON_AT_START = new RegExp(String.raw`^${PERSON}`, 'u');
/** Upper-case words that follow cues but are not names. */
const NOT_NAMES = new Set([
  'The',
  'This',
  'It',
  'I',
  'We',
  'My',
  'Your',
  'For',
  'Again',
  'Very',
  'So',
  'Great',
  'Good',
  'Bad',
  'Everything',
  'Nothing',
  'And',
  'But',
  'Please',
  'Hello',
  'Hi',
  'Again',
  'Also',
  'Team',
  'Support',
  'Customer',
  'Service',
]);

function personAt(text: string, at: number): string | undefined {
  const match = PERSON_AT_START.exec(text.slice(at, at + 80));
  if (!match) return undefined;
  const words = match[0].split(/\s+/);
  if (NOT_NAMES.has(words[0] ?? '')) return undefined;
  return match[0];
}

const detectNames: Detector = (text, { knownPersonNames }, lower, cues) => {
  const spans: PiiSpan[] = [];
  for (const cue of nameCues(text, lower)) {
    const at = cue.index + cue[0].length;
    const name = personAt(text, at);
    if (name) spans.push(span('NAME', at, name));
  }
  for (const match of cues.titles ? matchesNotAfterLetter(TITLE_NAME, text, text) : []) {
    const name = match[1] ?? '';
    const words = name.split(/\s+/);
    if (!NOT_NAMES.has(words[0] ?? ''))
      spans.push(span('NAME', match.index + match[0].length - name.length, name));
  }
  const signOffs = !cues.signOff
    ? []
    : lower === undefined
      ? allMatches(SIGN_OFF, text)
      : matchesNotAfterLetter(SIGN_OFF_LOWER, lower, text);
  for (const cue of signOffs) {
    const at = cue.index + cue[0].length;
    const name = personAt(text, at);
    // A sign-off name ends the text or its line: "Thanks, Maria" but not "Thanks, Great service".
    if (name && /^\s*(?:$|\n|[.!]?\s*$|[.!]?\s*\n)/.test(text.slice(at + name.length))) {
      spans.push(span('NAME', at, name));
    }
  }
  for (const known of knownPersonNames ?? []) {
    for (const part of [known, ...known.split(/\s+/)]) {
      if (part.length < 3) continue;
      const escaped = escapeRegExp(part);
      for (const match of allMatches(
        new RegExp(String.raw`(?<![\p{L}])${escaped}(?![\p{L}])`, 'giu'),
        text,
      )) {
        spans.push(span('NAME', match.index, match[0]));
      }
    }
  }
  return spans;
};

/** Priority order: an earlier detector wins an overlap. */
export const detectors: [PiiType, Detector][] = [
  ['EMAIL', detectEmails],
  ['IBAN', detectIbans],
  ['TRACKING', detectTracking],
  ['ORDER', detectOrders],
  ['CARD', detectCards],
  ['PHONE', detectPhones],
  ['ADDRESS', detectAddresses],
  ['NAME', detectNames],
];

/**
 * Cheap pre-checks: a detector runs only when its anchor is in the text (an @, a digit next to a
 * cue word, a street word, a name cue). Most feedback has none, and the full patterns are costly.
 */
const ANCHORS: Record<PiiType, RegExp> = {
  EMAIL: /@|[[(](?:at|arroba)[\])]/i,
  IBAN: /[A-Z]{2}\d{2}/i,
  CARD: /\d{4}/,
  PHONE: /\d[\d\s()./-]{7}/,
  // These look for their cue words (Cues) and formats first, no anchor needed.
  TRACKING: /(?:)/,
  ORDER: /(?:)/,
  ADDRESS: /(?:)/,
  NAME: /./,
};

/**
 * The anchors for lower-case text, without the `i` flag: upper-case literals and `[A-Z]` made
 * lower-case (the anchors use no upper-case escapes such as `\\S`).
 */
const LOWER_CASE_ANCHORS = Object.fromEntries(
  Object.entries(ANCHORS).map(([type, anchor]) => [
    type,
    new RegExp(
      anchor.source.replace(/\[A-Z\]/g, '[a-z]').replace(/[A-Z](?![^[]*\])/g, (char) => char.toLowerCase()),
      anchor.flags.replace('i', ''),
    ),
  ]),
) as Record<PiiType, RegExp>;

/** Case-sensitive words, on the text: the street patterns' (bits 0–6), then titles (bit 7). */
const TEXT_WORDS = new KeywordGroups([...STREET_KEYWORDS, keywords(TITLE_WORDS)]);
const TITLES_BIT = 1 << STREET_KEYWORDS.length;
/** Lower-case words, on the lower-cased text. */
const LOWER_CASE_WORDS = new KeywordGroups(
  [ORDER_CUE_WORDS, TRACKING_CUE_WORDS, ADDRESS_CUE_WORDS, SIGN_OFF_WORDS].map(keywords),
);
/**
 * The cues of a text. Without `lower` (lower-casing changed the length) the cue patterns run on
 * the text with the `i` flag, and every lower-case cue counts as present.
 */
function cuesIn(text: string, lower: string | undefined): Cues {
  const inText = TEXT_WORDS.groupsIn(text);
  const inLower = lower === undefined ? ~0 : LOWER_CASE_WORDS.groupsIn(lower);
  return {
    streets: inText & (TITLES_BIT - 1),
    titles: (inText & TITLES_BIT) !== 0,
    orderCue: (inLower & 1) !== 0,
    trackingCue: (inLower & 2) !== 0,
    addressCue: (inLower & 4) !== 0,
    signOff: (inLower & 8) !== 0,
  };
}

const NON_DIGITS = /\D+/g;
const SIX_DIGITS = /\d{6}/;

/**
 * Whether a detector can find anything, from the digits alone (exact: each minimum is what the
 * detector's own patterns and checks need). Card numbers have 13 digits or more, phone numbers 8
 * or more, order numbers 3; tracking numbers have six digits in a row, but for UPS ('1Z...').
 */
function digitsAllow(type: PiiType, text: string, digits: number): boolean {
  switch (type) {
    case 'EMAIL':
    case 'NAME':
      return true;
    case 'CARD':
      return digits >= 13;
    case 'PHONE':
      return digits >= 8;
    case 'ORDER':
      return digits >= 3;
    case 'TRACKING':
      return (digits >= 6 && SIX_DIGITS.test(text)) || text.includes('1Z');
    default:
      return digits > 0;
  }
}

/** Each cue pattern with the words every match of it contains (for the tests of those lists). */
export const cueWordLists: { name: string; pattern: RegExp; words: string[] }[] = [
  { name: 'order', pattern: ORDER_CUE, words: keywords(ORDER_CUE_WORDS) },
  { name: 'tracking', pattern: TRACKING_CUE, words: keywords(TRACKING_CUE_WORDS) },
  { name: 'address', pattern: ADDRESS_CUE, words: keywords(ADDRESS_CUE_WORDS) },
  { name: 'sign-off', pattern: SIGN_OFF, words: keywords(SIGN_OFF_WORDS) },
  { name: 'title', pattern: TITLE_NAME, words: keywords(TITLE_WORDS) },
];

/** Finds PII spans, non-overlapping, in text order. */
export function findPii(text: string, options: RedactionOptions): PiiSpan[] {
  const accepted: PiiSpan[] = [];
  // The digits counted by the regexp engine: a character loop in JavaScript costs more.
  const digits = text.replace(NON_DIGITS, '').length;
  const lowerCased = lowerCase(text);
  const lower = lowerCased.length === text.length ? lowerCased : undefined;
  const cues = cuesIn(text, lower);
  // Indexed loops, no destructuring: V8 runs `for (const [a, b] of ...)` through an iterator.
  for (let k = 0; k < detectors.length; k++) {
    const type = detectors[k]![0];
    if (!digitsAllow(type, text, digits)) continue;
    if (!(lower === undefined ? ANCHORS[type].test(text) : LOWER_CASE_ANCHORS[type].test(lower))) continue;
    const found = detectors[k]![1](text, options, lower, cues);
    if (found.length > 1) found.sort((a, b) => a.start - b.start || b.end - a.end);
    for (const candidate of found) {
      if (candidate.end <= candidate.start || overlapsAny(accepted, candidate)) continue;
      accepted.push(candidate);
    }
  }
  return accepted.length > 1 ? accepted.sort((a, b) => a.start - b.start) : accepted;
}

function overlapsAny(spans: readonly PiiSpan[], candidate: PiiSpan): boolean {
  for (const other of spans) if (candidate.start < other.end && other.start < candidate.end) return true;
  return false;
}

const TOKEN_PLACEHOLDER = /^\[(?:ORDER|TRACKING):([0-9a-f]+)\]$/;

export function redactPii(text: string, options: RedactionOptions): RedactionResult {
  const spans = findPii(text, options);
  if (spans.length === 0) return { text, piiTypes: [], spans, orderTokens: [], trackingTokens: [] };
  // Joined from pieces rather than concatenated: the later stages read the redacted text char by
  // char, which is cheaper on one flat string than on a tree of concatenations.
  const pieces: string[] = [];
  let cursor = 0;
  const types = new Set<PiiType>();
  const orderTokens = new Set<string>();
  const trackingTokens = new Set<string>();
  for (const found of spans) {
    pieces.push(text.slice(cursor, found.start), found.replacement);
    cursor = found.end;
    types.add(found.type);
    if (found.type !== 'ORDER' && found.type !== 'TRACKING') continue;
    const token = TOKEN_PLACEHOLDER.exec(found.replacement)?.[1];
    if (token && found.type === 'ORDER') orderTokens.add(token);
    if (token && found.type === 'TRACKING') trackingTokens.add(token);
  }
  pieces.push(text.slice(cursor));
  return {
    text: pieces.join(''),
    piiTypes: piiTypes.filter((type) => types.has(type)),
    spans,
    orderTokens: [...orderTokens],
    trackingTokens: [...trackingTokens],
  };
}

/**
 * The deterministic layer: multilingual phrase patterns from configuration (safety lexicon,
 * categories, intents, severity cues, sentiment cues, sarcasm, emoji) matched in one pass over
 * the tokens. Patterns are phrases of words; `word*` matches a prefix, a lone `*` skips up to two
 * words. A cue preceded by a negation ("not broken", "aucun problème") is flipped or ignored;
 * safety terms are never ignored, because a missed hazard costs more than a false alarm.
 */
import { readFileSync } from 'node:fs';
import { foldText, negationWords, ruleTokensOfFolded } from './text.js';
import { makeValidator } from '../validation.js';

/** Terms per language code; `any` applies to every language (emoji, brand-free symbols). */
export type LanguageTerms = Record<string, string[]>;

export interface RulesConfig {
  version: string;
  categories: Record<string, LanguageTerms>;
  intents: Record<string, LanguageTerms>;
  highSeverity: LanguageTerms;
  sentiment: { positive: LanguageTerms; negative: LanguageTerms };
  sarcasm: LanguageTerms;
  /** Severity of a category when nothing raises it. */
  baseSeverity: Record<string, 'low' | 'medium' | 'high' | 'critical'>;
  /** One line per category, plus `critical` for safety reports. */
  recommendedActions: Record<string, string>;
  /** Order in which categories win a tie of rule hits. */
  categoryPriority: string[];
}

export interface SafetyLexicon {
  version: string;
  hazards: Record<string, LanguageTerms>;
}

const languageTermsSchema = {
  type: 'object',
  additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } },
} as const;
const groupSchema = { type: 'object', additionalProperties: languageTermsSchema } as const;

export const validateRulesConfig = makeValidator<RulesConfig>({
  type: 'object',
  required: [
    'version',
    'categories',
    'intents',
    'highSeverity',
    'sentiment',
    'sarcasm',
    'baseSeverity',
    'recommendedActions',
    'categoryPriority',
  ],
  properties: {
    $comment: { type: 'string' },
    version: { type: 'string', minLength: 1 },
    categories: groupSchema,
    intents: groupSchema,
    highSeverity: languageTermsSchema,
    sentiment: {
      type: 'object',
      required: ['positive', 'negative'],
      properties: { positive: languageTermsSchema, negative: languageTermsSchema },
      additionalProperties: false,
    },
    sarcasm: languageTermsSchema,
    baseSeverity: { type: 'object', additionalProperties: { enum: ['low', 'medium', 'high', 'critical'] } },
    recommendedActions: { type: 'object', additionalProperties: { type: 'string', maxLength: 300 } },
    categoryPriority: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: false,
});

export const validateSafetyLexicon = makeValidator<SafetyLexicon>({
  type: 'object',
  required: ['version', 'hazards'],
  properties: {
    $comment: { type: 'string' },
    version: { type: 'string', minLength: 1 },
    hazards: groupSchema,
  },
  additionalProperties: false,
});

export function loadRulesConfig(path = 'config/classify/rules.json'): RulesConfig {
  const checked = validateRulesConfig(JSON.parse(readFileSync(path, 'utf8')));
  if (!checked.ok) throw new Error(`invalid rules ${path}: ${checked.error}`);
  return checked.value;
}

export function loadSafetyLexicon(path = 'config/classify/safety-lexicon.json'): SafetyLexicon {
  const checked = validateSafetyLexicon(JSON.parse(readFileSync(path, 'utf8')));
  if (!checked.ok) throw new Error(`invalid safety lexicon ${path}: ${checked.error}`);
  return checked.value;
}

export function ruleTokens(text: string): string[] {
  return ruleTokensOfFolded(foldText(text));
}

export { ruleTokensOfFolded };

const ruleNegations = new Set<string>([
  ...[...negationWords].filter((word) => !word.includes("'")),
  't', // the tail of every n't contraction
  'n', // French n'
]);

type GroupKind = 'safety' | 'category' | 'intent' | 'severity' | 'positive' | 'negative' | 'sarcasm';

interface PatternPart {
  text: string;
  prefix: boolean;
  /** A `*` before this part: up to two words may come in between. */
  gapBefore: boolean;
}

interface CompiledPattern {
  /** `kind:name:language`, the rule id in provenance. */
  id: string;
  kind: GroupKind;
  name: string;
  language: string;
  parts: PatternPart[];
  /** The second word when it must follow the first directly and whole: a cheap first test. */
  next: string | null;
}

/** The patterns that apply to items in one language, looked up by a token's first part. */
interface LanguageView {
  exact: Map<string, CompiledPattern[]>;
  /** Keyed by the first PREFIX_KEY characters (see prefixKey). */
  prefix: Map<number, CompiledPattern[]>;
}

export interface CompiledRules {
  config: RulesConfig;
  safety: SafetyLexicon;
  version: string;
  /** Per language of the configuration; `otherLanguages` for every language without own terms. */
  views: Map<string, LanguageView>;
  otherLanguages: LanguageView;
}

const PREFIX_KEY = 3;

/**
 * A small-integer key from the first three UTF-16 units (ten bits each), so no substring per
 * token. Distinct prefixes may share a key; matchAt checks the prefix itself, and a bucket keeps
 * the configuration's order.
 */
function prefixKey(token: string): number {
  return (
    ((token.charCodeAt(0) & 0x3ff) << 20) |
    ((token.charCodeAt(1) & 0x3ff) << 10) |
    (token.charCodeAt(2) & 0x3ff)
  );
}

function compileTerm(kind: GroupKind, name: string, language: string, term: string): CompiledPattern {
  const parts: PatternPart[] = [];
  let gap = false;
  for (const raw of term.trim().split(/\s+/)) {
    if (raw === '*') {
      gap = true;
      continue;
    }
    const prefix = raw.endsWith('*') && raw.length > 1;
    const tokens = ruleTokens(prefix ? raw.slice(0, -1) : raw);
    tokens.forEach((token, index) => {
      parts.push({
        text: token,
        prefix: prefix && index === tokens.length - 1,
        gapBefore: gap && index === 0,
      });
    });
    gap = false;
  }
  if (parts.length === 0) throw new Error(`empty rule term '${term}' in ${kind}:${name}`);
  const second = parts[1];
  const next = second && !second.prefix && !second.gapBefore ? second.text : null;
  return { id: `${kind}:${name}:${language}`, kind, name, language, parts, next };
}

function appendTo<K>(map: Map<K, CompiledPattern[]>, key: K, pattern: CompiledPattern): void {
  const list = map.get(key);
  if (list) list.push(pattern);
  else map.set(key, [pattern]);
}

/**
 * Safety terms apply in every language (a mislabelled language must not hide a hazard); other
 * terms in their own language, English (the lingua franca of reviews) and `any` (emoji).
 */
function appliesTo(pattern: CompiledPattern, language: string | null): boolean {
  return (
    pattern.kind === 'safety' ||
    pattern.language === language ||
    pattern.language === 'en' ||
    pattern.language === 'any'
  );
}

function languageView(patterns: CompiledPattern[], language: string | null): LanguageView {
  const view: LanguageView = { exact: new Map(), prefix: new Map() };
  for (const pattern of patterns) {
    if (!appliesTo(pattern, language)) continue;
    const first = pattern.parts[0] as PatternPart;
    if (first.prefix) appendTo(view.prefix, prefixKey(first.text), pattern);
    else appendTo(view.exact, first.text, pattern);
  }
  return view;
}

export function compileRules(config: RulesConfig, safety: SafetyLexicon): CompiledRules {
  const patterns: CompiledPattern[] = [];
  const add = (kind: GroupKind, name: string, terms: LanguageTerms) => {
    for (const [language, list] of Object.entries(terms)) {
      for (const term of list) {
        const pattern = compileTerm(kind, name, language, term);
        const first = pattern.parts[0] as PatternPart;
        if (first.prefix && first.text.length < PREFIX_KEY)
          throw new Error(`prefix term '${term}' needs at least ${PREFIX_KEY} letters`);
        patterns.push(pattern);
      }
    }
  };
  for (const [hazard, terms] of Object.entries(safety.hazards)) add('safety', hazard, terms);
  for (const [category, terms] of Object.entries(config.categories)) add('category', category, terms);
  for (const [intent, terms] of Object.entries(config.intents)) add('intent', intent, terms);
  add('severity', 'high', config.highSeverity);
  add('positive', 'positive', config.sentiment.positive);
  add('negative', 'negative', config.sentiment.negative);
  add('sarcasm', 'sarcasm', config.sarcasm);
  // Candidates keep the order of the configuration (exact first, then prefixes): the order of
  // hazards and categories in the findings depends on it.
  const views = new Map<string, LanguageView>();
  for (const language of new Set(patterns.map((pattern) => pattern.language)))
    views.set(language, languageView(patterns, language));
  return {
    config,
    safety,
    version: `${config.version}+${safety.version}`,
    views,
    otherLanguages: languageView(patterns, null),
  };
}

export interface RuleFindings {
  hazards: string[];
  /** Category → number of distinct matches. */
  categories: Map<string, number>;
  intents: Set<string>;
  highSeverity: boolean;
  /** Sentiment cues after negation: "not good" counts as negative. */
  positive: number;
  negative: number;
  sarcasm: boolean;
  /** An eye-roll emoji and the like: sarcastic whatever else the text says. */
  sarcasmStrong: boolean;
  questionMark: boolean;
  ruleIds: string[];
  /** The rule tokens of the text, for callers that match more phrases (components). */
  tokens: string[];
}

function partMatches(part: PatternPart, token: string | undefined): boolean {
  if (token === undefined) return false;
  return part.prefix ? token.startsWith(part.text) : token === part.text;
}

/** Index just past the match, or -1. */
function matchAt(pattern: CompiledPattern, tokens: string[], start: number): number {
  let position = start;
  for (let index = 0; index < pattern.parts.length; index++) {
    const part = pattern.parts[index] as PatternPart;
    if (index === 0) {
      if (!partMatches(part, tokens[position])) return -1;
      position++;
      continue;
    }
    const maxSkip = part.gapBefore ? 2 : 0;
    let found = -1;
    for (let skip = 0; skip <= maxSkip; skip++) {
      if (partMatches(part, tokens[position + skip])) {
        found = position + skip;
        break;
      }
    }
    if (found < 0) return -1;
    position = found + 1;
  }
  return position;
}

function negatedBefore(tokens: string[], start: number): boolean {
  for (let index = Math.max(0, start - 3); index < start; index++) {
    if (ruleNegations.has(tokens[index] as string)) return true;
  }
  return false;
}

/** Records one match; false when a negation cancels it (no rule id then). */
function record(findings: RuleFindings, pattern: CompiledPattern, negated: boolean): boolean {
  switch (pattern.kind) {
    case 'safety':
      if (!findings.hazards.includes(pattern.name)) findings.hazards.push(pattern.name);
      return true;
    case 'category':
      if (negated) return false;
      findings.categories.set(pattern.name, (findings.categories.get(pattern.name) ?? 0) + 1);
      return true;
    case 'intent':
      if (negated) return false;
      findings.intents.add(pattern.name);
      return true;
    case 'severity':
      if (negated) return false;
      findings.highSeverity = true;
      return true;
    case 'positive':
      if (negated) findings.negative++;
      else findings.positive++;
      return true;
    case 'negative':
      if (negated) findings.positive += 0.5;
      else findings.negative++;
      return true;
    case 'sarcasm':
      findings.sarcasm = true;
      if (pattern.language === 'any') findings.sarcasmStrong = true;
      return true;
  }
}

/** `folded` may be passed when the caller already folded the text (see foldText). */
export function applyRules(
  rules: CompiledRules,
  text: string,
  language: string,
  folded = foldText(text),
): RuleFindings {
  return applyRulesToTokens(rules, ruleTokensOfFolded(folded), text.includes('?'), language);
}

/**
 * The rules over tokens already made (`tokenizeFolded(...).ruleTokens`); `questionMark` says
 * whether the original text asks something.
 */
export function applyRulesToTokens(
  rules: CompiledRules,
  tokens: string[],
  questionMark: boolean,
  language: string,
): RuleFindings {
  const findings: RuleFindings = {
    hazards: [],
    categories: new Map(),
    intents: new Set(),
    highSeverity: false,
    positive: 0,
    negative: 0,
    sarcasm: false,
    sarcasmStrong: false,
    questionMark,
    ruleIds: [],
    tokens,
  };
  const view = rules.views.get(language) ?? rules.otherLanguages;
  // A pattern counts once per text; a handful match, so a list beats a set.
  const matched: CompiledPattern[] = [];
  const ids: string[] = [];
  for (let position = 0; position < tokens.length; position++) {
    const token = tokens[position] as string;
    const exact = view.exact.get(token);
    if (exact) matchCandidates(exact, tokens, position, findings, matched, ids);
    if (token.length >= PREFIX_KEY) {
      const prefixed = view.prefix.get(prefixKey(token));
      if (prefixed) matchCandidates(prefixed, tokens, position, findings, matched, ids);
    }
  }
  findings.ruleIds = ids;
  return findings;
}

function matchCandidates(
  candidates: CompiledPattern[],
  tokens: string[],
  position: number,
  findings: RuleFindings,
  matched: CompiledPattern[],
  ids: string[],
): void {
  const next = tokens[position + 1];
  for (const pattern of candidates) {
    if (pattern.next !== null && pattern.next !== next) continue;
    if (matched.includes(pattern) || matchAt(pattern, tokens, position) < 0) continue;
    matched.push(pattern);
    if (record(findings, pattern, negatedBefore(tokens, position))) insertSorted(ids, pattern.id);
  }
}

/** Keeps the few rule ids of a text sorted and distinct as they come. */
function insertSorted(ids: string[], id: string): void {
  let at = ids.length;
  while (at > 0 && (ids[at - 1] as string) > id) at--;
  if (at > 0 && ids[at - 1] === id) return;
  ids.splice(at, 0, id);
}

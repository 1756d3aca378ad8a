/**
 * The deterministic layer: multilingual phrase patterns from configuration (safety lexicon,
 * categories, intents, severity cues, sentiment cues, sarcasm, emoji) matched in one pass over
 * the tokens. Patterns are phrases of words; `word*` matches a prefix, a lone `*` skips up to two
 * words. A cue preceded by a negation ("not broken", "aucun problème") is flipped or ignored;
 * safety terms are never ignored, because a missed hazard costs more than a false alarm.
 */
import { readFileSync } from 'node:fs';
import { foldText, negationWords } from './text.js';
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

/** Rule tokens split at apostrophes too, so "doesn't" is `doesn t` and "l'écran" is `l ecran`. */
const ruleTokenPattern = /[\p{L}\p{N}]+|\p{Extended_Pictographic}|[!?]/gu;

export function ruleTokens(text: string): string[] {
  return ruleTokensOfFolded(foldText(text));
}

export function ruleTokensOfFolded(folded: string): string[] {
  return folded.match(ruleTokenPattern) ?? [];
}

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
}

export interface CompiledRules {
  config: RulesConfig;
  safety: SafetyLexicon;
  version: string;
  exact: Map<string, CompiledPattern[]>;
  prefix: Map<string, CompiledPattern[]>;
}

const PREFIX_KEY = 3;
const noPatterns: CompiledPattern[] = [];

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
  return { id: `${kind}:${name}:${language}`, kind, name, language, parts };
}

export function compileRules(config: RulesConfig, safety: SafetyLexicon): CompiledRules {
  const exact = new Map<string, CompiledPattern[]>();
  const prefix = new Map<string, CompiledPattern[]>();
  const add = (kind: GroupKind, name: string, terms: LanguageTerms) => {
    for (const [language, list] of Object.entries(terms)) {
      for (const term of list) {
        const pattern = compileTerm(kind, name, language, term);
        const first = pattern.parts[0] as PatternPart;
        if (first.prefix && first.text.length >= PREFIX_KEY) {
          const key = first.text.slice(0, PREFIX_KEY);
          prefix.set(key, [...(prefix.get(key) ?? []), pattern]);
        } else if (first.prefix) {
          throw new Error(`prefix term '${term}' needs at least ${PREFIX_KEY} letters`);
        } else {
          exact.set(first.text, [...(exact.get(first.text) ?? []), pattern]);
        }
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
  return { config, safety, version: `${config.version}+${safety.version}`, exact, prefix };
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

/** `folded` may be passed when the caller already folded the text (see foldText). */
export function applyRules(
  rules: CompiledRules,
  text: string,
  language: string,
  folded = foldText(text),
): RuleFindings {
  const tokens = ruleTokensOfFolded(folded);
  const findings: RuleFindings = {
    hazards: [],
    categories: new Map(),
    intents: new Set(),
    highSeverity: false,
    positive: 0,
    negative: 0,
    sarcasm: false,
    sarcasmStrong: false,
    questionMark: text.includes('?'),
    ruleIds: [],
    tokens,
  };
  const ids = new Set<string>();
  const seen = new Set<CompiledPattern>();
  for (let position = 0; position < tokens.length; position++) {
    const token = tokens[position] as string;
    const exact = rules.exact.get(token);
    const prefixed = token.length >= PREFIX_KEY ? rules.prefix.get(token.slice(0, PREFIX_KEY)) : undefined;
    const candidates = exact && prefixed ? exact.concat(prefixed) : (exact ?? prefixed ?? noPatterns);
    for (const pattern of candidates) {
      // Safety terms apply in every language (a mislabelled language must not hide a hazard).
      if (
        pattern.kind !== 'safety' &&
        pattern.language !== language &&
        pattern.language !== 'en' &&
        pattern.language !== 'any'
      ) {
        continue;
      }
      if (seen.has(pattern) || matchAt(pattern, tokens, position) < 0) continue;
      seen.add(pattern);
      const negated = negatedBefore(tokens, position);
      switch (pattern.kind) {
        case 'safety':
          if (!findings.hazards.includes(pattern.name)) findings.hazards.push(pattern.name);
          break;
        case 'category':
          if (negated) continue;
          findings.categories.set(pattern.name, (findings.categories.get(pattern.name) ?? 0) + 1);
          break;
        case 'intent':
          if (negated) continue;
          findings.intents.add(pattern.name);
          break;
        case 'severity':
          if (negated) continue;
          findings.highSeverity = true;
          break;
        case 'positive':
          if (negated) findings.negative++;
          else findings.positive++;
          break;
        case 'negative':
          if (negated) findings.positive += 0.5;
          else findings.negative++;
          break;
        case 'sarcasm':
          findings.sarcasm = true;
          if (pattern.language === 'any') findings.sarcasmStrong = true;
          break;
      }
      ids.add(pattern.id);
    }
  }
  findings.ruleIds = [...ids].sort();
  return findings;
}

/**
 * The text pipeline of the normalize stage, pure and reusable (the classify CLI and the demo
 * call it too): clean → redact PII → language → spam → entities → fingerprints.
 */
import type { Catalog } from '../catalog.js';
import type { Taxonomy } from '../taxonomy.js';
import { extractEntitiesFromWords, type Entities } from './entities.js';
import { foldedWordsJoinedOf, foldedWordsOf } from './fold.js';
import { detectLanguage, type LanguageResult } from './language.js';
import { redactPii, type PiiType } from './pii.js';
import { fingerprintOfWords } from './similarity.js';
import { detectSpam, type SpamVerdict } from './spam.js';
import { cleanText, type TextFormat } from './text-cleanup.js';

export interface FeedbackTextInput {
  text: string;
  title?: string;
  /** Locale or language from the source ('es-ES', 'fr'); used when the text is too short to tell. */
  languageHint?: string;
  /** 'html' for HTML bodies, 'email' for ticket bodies with quoted replies and signatures. */
  format?: TextFormat;
  /** Names known from the payload (reviewer, customer), redacted wherever they appear in the text. */
  knownPersonNames?: string[];
}

export interface FeedbackTextOptions {
  tokenKey: string;
  taxonomy: Taxonomy;
  catalog: Catalog;
}

export interface PreparedFeedbackText {
  text: string;
  title?: string;
  piiTypes: PiiType[];
  language: LanguageResult;
  spam: SpamVerdict;
  entities: Entities;
  textHash: string;
  /** Bottom-k sketch of the text's shingles, for near-duplicate checks (similarity.ts). */
  signature: number[];
  /** Tracking-number tokens found in the text. */
  trackingTokens: string[];
}

const HINT = /^([a-z]{2})(?:[-_][A-Za-z]{2,4})?$/i;
const LOW_CONFIDENCE = 0.4;

function withHint(detected: LanguageResult, hint: string | undefined): LanguageResult {
  const code = hint ? HINT.exec(hint.trim())?.[1]?.toLowerCase() : undefined;
  if (!code || (detected.code !== 'und' && detected.confidence >= LOW_CONFIDENCE)) return detected;
  if (detected.code === code) return { ...detected, confidence: Math.max(detected.confidence, 0.6) };
  return { code, confidence: 0.5, mixed: detected.mixed };
}

export function prepareFeedbackText(
  input: FeedbackTextInput,
  options: FeedbackTextOptions,
): PreparedFeedbackText {
  const redactionOptions = { tokenKey: options.tokenKey, knownPersonNames: input.knownPersonNames };
  const body = redactPii(cleanText(input.text, input.format ?? 'plain'), redactionOptions);
  const cleanTitle = input.title === undefined ? '' : cleanText(input.title, 'plain');
  const title = cleanTitle === '' ? undefined : redactPii(cleanTitle, redactionOptions);

  // Short texts borrow the title's words for detection ("Terrible" + "La cremallera se rompió").
  const languageText = body.text.length < 40 && title ? `${title.text}. ${body.text}` : body.text;
  const language = withHint(detectLanguage(languageText), input.languageHint);
  // The words joined by spaces: the text hash reads them so, and spam looks for keyboard runs there.
  const { words, joined: joinedWords } = foldedWordsJoinedOf(body.text);
  const spam = detectSpam(body.text, { foldedWords: words, joinedWords });
  const titleWords = title ? foldedWordsOf(title.text) : [];
  const orderTokens = [...body.orderTokens, ...(title?.orderTokens ?? [])];
  const entities = extractEntitiesFromWords(
    titleWords.length > 0 ? [...titleWords, '\u0000', ...words] : words,
    {
      catalog: options.catalog,
      taxonomy: options.taxonomy,
      language: language.code,
      orderTokens,
    },
  );
  const fingerprint = fingerprintOfWords(words, joinedWords);
  const piiTypes = [...new Set([...body.piiTypes, ...(title?.piiTypes ?? [])])];
  return {
    text: body.text,
    ...(title ? { title: title.text } : {}),
    piiTypes,
    language,
    spam,
    entities,
    textHash: fingerprint.textHash,
    signature: fingerprint.signature,
    trackingTokens: [...new Set([...body.trackingTokens, ...(title?.trackingTokens ?? [])])],
  };
}

/** The normalize domain: pure functions the stage, the classify CLI and the demo share. */
export { prepareFeedbackText } from './prepare.js';
export type { FeedbackTextInput, FeedbackTextOptions, PreparedFeedbackText } from './prepare.js';
export {
  normalizeEnvelope,
  type NormalizeOptions,
  type NormalizeOutcome,
  type NormalizedDraft,
} from './record.js';
export { parseEnvelope, readItem, resolvePointer } from './envelope.js';
export { mapToCanonical, type CanonicalFeedback, type MappingResult } from './sources.js';
export { redactPii, findPii, piiTypes, type PiiType, type PiiSpan } from './pii.js';
export { detectLanguage, supportedLanguages, type LanguageResult } from './language.js';
export { detectSpam, type SpamVerdict } from './spam.js';
export { extractEntities, type Entities } from './entities.js';
export { fingerprintOf, estimatedJaccard, type Fingerprint } from './similarity.js';
export {
  MemoryDedupeStore,
  type DedupeStore,
  type DedupeItem,
  type DedupeOptions,
  type DuplicateVerdict,
} from './duplicates.js';
export { orderToken, trackingToken, customerToken } from './tokens.js';

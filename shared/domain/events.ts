/**
 * The events between stages, composed from the header and each stage's block, with their
 * validators. A stage validates what it receives and what it emits.
 */
import type { EventHeader } from './record.js';
import { eventHeaderProperties, eventHeaderRequired } from './blocks/header.js';
import { normalizedBlockSchema, type NormalizedBlock } from './blocks/normalized.js';
import { classificationBlockSchema, type ClassificationBlock } from './blocks/classification.js';
import { scoreBlockSchema, type ScoreBlock } from './blocks/score.js';
import { makeValidator } from './validation.js';

export type { NormalizedBlock, ClassificationBlock, ScoreBlock };

export interface NormalizedEvent extends EventHeader {
  normalized: NormalizedBlock;
}
export interface ClassifiedEvent extends NormalizedEvent {
  classification: ClassificationBlock;
}
export interface ScoredEvent extends ClassifiedEvent {
  score: ScoreBlock;
}

function eventSchema(id: string, blocks: Record<string, object>): object {
  return {
    $id: id,
    type: 'object',
    required: [...eventHeaderRequired, ...Object.keys(blocks)],
    properties: { ...eventHeaderProperties, ...blocks },
    additionalProperties: false,
  };
}

export const normalizedEventSchema = eventSchema('feedback-normalized.v1', {
  normalized: normalizedBlockSchema,
});
export const classifiedEventSchema = eventSchema('feedback-classified.v1', {
  normalized: normalizedBlockSchema,
  classification: classificationBlockSchema,
});
export const scoredEventSchema = eventSchema('feedback-scored.v1', {
  normalized: normalizedBlockSchema,
  classification: classificationBlockSchema,
  score: scoreBlockSchema,
});

export const validateNormalizedEvent = makeValidator<NormalizedEvent>(normalizedEventSchema);
export const validateClassifiedEvent = makeValidator<ClassifiedEvent>(classifiedEventSchema);
export const validateScoredEvent = makeValidator<ScoredEvent>(scoredEventSchema);

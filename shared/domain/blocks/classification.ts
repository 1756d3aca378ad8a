import {
  intents,
  sentimentLabels,
  severities,
  type Intent,
  type SentimentLabel,
  type Severity,
} from '../taxonomy.js';

/** The classify stage's block. Owned by the classify work; other stages only read it. */
export interface ClassificationBlock {
  sentiment: { label: SentimentLabel; score: number; confidence: number };
  primaryCategory: string;
  secondaryCategories: string[];
  component: string | null;
  severity: Severity;
  intent: Intent;
  ownerTeam: string;
  summary: string;
  recommendedAction: string;
  /** Overall confidence of the labels, 0..1. */
  confidence: number;
  /** Under the confidence threshold: sent to the review queue. */
  needsReview: boolean;
  provenance: {
    method: 'rules' | 'model' | 'llm';
    ruleIds: string[];
    modelVersion: string;
    promptVersion: string | null;
    reasons: string[];
  };
}

export const classificationBlockSchema = {
  type: 'object',
  required: [
    'sentiment',
    'primaryCategory',
    'secondaryCategories',
    'component',
    'severity',
    'intent',
    'ownerTeam',
    'summary',
    'recommendedAction',
    'confidence',
    'needsReview',
    'provenance',
  ],
  properties: {
    sentiment: {
      type: 'object',
      required: ['label', 'score', 'confidence'],
      properties: {
        label: { enum: [...sentimentLabels] },
        score: { type: 'number', minimum: -1, maximum: 1 },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
      },
      additionalProperties: false,
    },
    primaryCategory: { type: 'string', minLength: 1 },
    secondaryCategories: { type: 'array', items: { type: 'string' } },
    component: { type: ['string', 'null'] },
    severity: { enum: [...severities] },
    intent: { enum: [...intents] },
    ownerTeam: { type: 'string' },
    summary: { type: 'string', maxLength: 300 },
    recommendedAction: { type: 'string', maxLength: 300 },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
    needsReview: { type: 'boolean' },
    provenance: {
      type: 'object',
      required: ['method', 'ruleIds', 'modelVersion', 'promptVersion', 'reasons'],
      properties: {
        method: { enum: ['rules', 'model', 'llm'] },
        ruleIds: { type: 'array', items: { type: 'string' } },
        modelVersion: { type: 'string' },
        promptVersion: { type: ['string', 'null'] },
        reasons: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: false,
} as const;

/** The score stage's block. Owned by the score work; route only reads it. */
export const decisions = ['alert', 'ticket_candidate', 'review', 'none'] as const;
export type Decision = (typeof decisions)[number];

export interface ScoreBlock {
  decision: Decision;
  /** Higher is more urgent; 0 for `none`. */
  priority: number;
  reasons: string[];
  /** Deterministic key of the product × category incident this item belongs to. */
  incidentKey: string;
  /** Whether this item counted towards the features (not spam, not a duplicate, not a repeat). */
  counted: boolean;
  anomaly?: {
    kind: 'volume_spike' | 'sentiment_shift' | 'safety';
    observed: number;
    expected: number;
    pValue: number;
    windowStart: string;
    windowEnd: string;
  };
  /** Why the decision matters: severity, volume, strategic flag, revenue at risk. */
  whyItMatters: Record<string, unknown>;
  ownerTeam: string;
  suppressed?: { reason: string };
  /** Versions and thresholds that produced the decision. */
  provenance: Record<string, unknown>;
}

export const scoreBlockSchema = {
  type: 'object',
  required: [
    'decision',
    'priority',
    'reasons',
    'incidentKey',
    'counted',
    'whyItMatters',
    'ownerTeam',
    'provenance',
  ],
  properties: {
    decision: { enum: [...decisions] },
    priority: { type: 'number', minimum: 0 },
    reasons: { type: 'array', items: { type: 'string' } },
    incidentKey: { type: 'string', minLength: 1 },
    counted: { type: 'boolean' },
    anomaly: {
      type: 'object',
      required: ['kind', 'observed', 'expected', 'pValue', 'windowStart', 'windowEnd'],
      properties: {
        kind: { enum: ['volume_spike', 'sentiment_shift', 'safety'] },
        observed: { type: 'number' },
        expected: { type: 'number' },
        pValue: { type: 'number', minimum: 0, maximum: 1 },
        windowStart: { type: 'string' },
        windowEnd: { type: 'string' },
      },
      additionalProperties: false,
    },
    whyItMatters: { type: 'object' },
    ownerTeam: { type: 'string' },
    suppressed: {
      type: 'object',
      required: ['reason'],
      properties: { reason: { type: 'string' } },
      additionalProperties: false,
    },
    provenance: { type: 'object' },
  },
  additionalProperties: false,
} as const;

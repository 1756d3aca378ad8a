/**
 * Labelled items: the golden set, exported review-queue resolutions and any team's own JSONL.
 * Only `text` is required; each metric uses the labels an item has.
 */
import {
  intents,
  sentimentLabels,
  severities,
  type Intent,
  type SentimentLabel,
  type Severity,
} from '../taxonomy.js';
import { makeValidator } from '../validation.js';

export interface LabelledItem {
  id?: string;
  lang?: string;
  text: string;
  title?: string;
  rating?: number;
  npsScore?: number;
  isSpam?: boolean;
  sentiment?: SentimentLabel;
  primaryCategory?: string;
  secondaryCategories?: string[];
  component?: string | null;
  severity?: Severity;
  intent?: Intent;
  tags?: string[];
}

export const validateLabelledItem = makeValidator<LabelledItem>({
  type: 'object',
  required: ['text'],
  properties: {
    id: { type: 'string' },
    lang: { type: 'string' },
    text: { type: 'string' },
    title: { type: 'string' },
    rating: { type: 'number', minimum: 1, maximum: 5 },
    npsScore: { type: 'integer', minimum: 0, maximum: 10 },
    isSpam: { type: 'boolean' },
    sentiment: { enum: [...sentimentLabels] },
    primaryCategory: { type: 'string' },
    secondaryCategories: { type: 'array', items: { type: 'string' } },
    component: { type: ['string', 'null'] },
    severity: { enum: [...severities] },
    intent: { enum: [...intents] },
    tags: { type: 'array', items: { type: 'string' } },
  },
  additionalProperties: true,
});

/** Parses JSONL; a bad line is an error with its line number (labelled data must be clean). */
export function parseLabelledJsonl(source: string, name = 'input'): LabelledItem[] {
  const items: LabelledItem[] = [];
  source.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${name}:${index + 1} is not JSON`);
    }
    const checked = validateLabelledItem(parsed);
    if (!checked.ok) throw new Error(`${name}:${index + 1} ${checked.error}`);
    items.push(checked.value);
  });
  return items;
}

/**
 * The review queue: items the classifier was not sure about wait here with their candidate
 * labels until a person confirms or corrects them. Resolved items are labelled data: they are
 * exported as JSONL (`toLabelledExample`) and `npm run train` / `npm run eval` take them with
 * `--include-reviews <file>`.
 */
import type { CandidateLabels } from './classify/labels.js';
import type { Intent, SentimentLabel, Severity } from './taxonomy.js';

export type ReviewStatus = 'pending' | 'resolved';

export interface ReviewLabels {
  sentiment: SentimentLabel;
  primaryCategory: string;
  secondaryCategories: string[];
  component: string | null;
  severity: Severity;
  intent: Intent;
}

export interface ReviewItem {
  /** The feedback id: one queue entry per feedback item, the latest revision wins. */
  id: string;
  feedbackId: string;
  revision: string;
  /** Redacted text only. */
  text: string;
  language: string;
  candidates: CandidateLabels;
  reasons: string[];
  createdAt: string;
  status: ReviewStatus;
  resolution?: {
    labels: ReviewLabels;
    reviewer: string;
    action: 'confirm' | 'correct';
    resolvedAt: string;
  };
}

export type NewReviewItem = Omit<ReviewItem, 'status' | 'resolution'>;

export interface ReviewResolution {
  labels: ReviewLabels;
  reviewer: string;
  action: 'confirm' | 'correct';
}

export interface ReviewQueueStore {
  /** Idempotent per id and revision; an older revision never replaces a newer one; a resolved item stays resolved. */
  enqueue(item: NewReviewItem): Promise<void>;
  /** Oldest first. */
  listPending(limit: number): Promise<ReviewItem[]>;
  get(id: string): Promise<ReviewItem | undefined>;
  /** Undefined when the id is unknown. */
  resolve(id: string, resolution: ReviewResolution, resolvedAt: string): Promise<ReviewItem | undefined>;
  /** Resolved items, for export as training and evaluation data. */
  listResolved(limit: number): Promise<ReviewItem[]>;
}

/** The candidate labels as a resolution, for a reviewer who confirms them unchanged. */
export function labelsFromCandidates(candidates: CandidateLabels): ReviewLabels {
  return {
    sentiment: candidates.sentiment.label,
    primaryCategory: candidates.primaryCategory,
    secondaryCategories: candidates.secondaryCategories,
    component: candidates.component,
    severity: candidates.severity,
    intent: candidates.intent,
  };
}

/** One JSONL line of labelled data, the format of eval/golden (see docs/classify.md). */
export function toLabelledExample(item: ReviewItem): Record<string, unknown> | undefined {
  if (!item.resolution) return undefined;
  const labels = item.resolution.labels;
  return {
    id: `review-${item.id}`,
    lang: item.language,
    text: item.text,
    sentiment: labels.sentiment,
    primaryCategory: labels.primaryCategory,
    secondaryCategories: labels.secondaryCategories,
    component: labels.component,
    severity: labels.severity,
    intent: labels.intent,
    tags: ['review', item.resolution.action],
  };
}

/** In-memory queue for tests, the offline CLI and benchmarks; same contract as the Cosmos one. */
export class MemoryReviewQueue implements ReviewQueueStore {
  readonly items = new Map<string, ReviewItem>();
  enqueue(item: NewReviewItem): Promise<void> {
    const existing = this.items.get(item.id);
    if (existing && (existing.status === 'resolved' || existing.revision >= item.revision))
      return Promise.resolve();
    this.items.set(item.id, structuredClone({ ...item, status: 'pending' }));
    return Promise.resolve();
  }
  listPending(limit: number): Promise<ReviewItem[]> {
    return Promise.resolve(
      [...this.items.values()]
        .filter((item) => item.status === 'pending')
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .slice(0, limit)
        .map((item) => structuredClone(item)),
    );
  }
  get(id: string): Promise<ReviewItem | undefined> {
    const item = this.items.get(id);
    return Promise.resolve(item ? structuredClone(item) : undefined);
  }
  resolve(id: string, resolution: ReviewResolution, resolvedAt: string): Promise<ReviewItem | undefined> {
    const item = this.items.get(id);
    if (!item) return Promise.resolve(undefined);
    item.status = 'resolved';
    item.resolution = { ...structuredClone(resolution), resolvedAt };
    return Promise.resolve(structuredClone(item));
  }
  listResolved(limit: number): Promise<ReviewItem[]> {
    return Promise.resolve(
      [...this.items.values()]
        .filter((item) => item.status === 'resolved')
        .slice(0, limit)
        .map((item) => structuredClone(item)),
    );
  }
}

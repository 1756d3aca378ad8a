/**
 * The labels a classification is made of, shared by the local path, the LLM answer and the
 * review queue ("candidate labels").
 */
import type { Intent, SentimentLabel, Severity } from '../taxonomy.js';

export interface CandidateLabels {
  sentiment: { label: SentimentLabel; score: number; confidence: number };
  primaryCategory: string;
  secondaryCategories: string[];
  component: string | null;
  severity: Severity;
  intent: Intent;
}

/** What the classifier needs from a normalized event (or a CLI line after preparation). */
export interface ClassifyInput {
  /** Redacted, cleaned text. */
  text: string;
  title?: string;
  language: string;
  rating?: number;
  npsScore?: number;
  isSpam: boolean;
  /** Components the normalize stage recognised (taxonomy component ids). */
  components: string[];
}

export const severityRank: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };

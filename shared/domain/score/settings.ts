/**
 * Tunables of the score stage. The defaults are the ones the false-alarm script and the tests
 * were calibrated with (see docs/scoring.md); the composition root maps app settings onto them.
 */
import type { ExpectedEvents } from './expected-events.js';

export interface ScoreSettings {
  /**
   * 0..1; higher alerts more readily. It sets the tolerated false alarms per product × category
   * per day on steady data, 10^-(5 - 2 × sensitivity) (1 in 10,000 days at the default 0.5, so
   * a catalog of 1,000 product × category streams sees about one a fortnight), split over the 48
   * tests a stream gets per day (hourly and trailing-24 h windows).
   */
  sensitivity: number;
  /** An anomaly needs at least this many counted items in its window. */
  minimumVolume: number;
  /** An anomaly needs observed ≥ this × expected (material, not only significant). */
  minimumRatio: number;
  /** A sentiment shift needs the negative share to rise by at least this much (0..1). */
  minimumSentimentShift: number;
  /** Events older than the product's newest event minus this are scored but not counted. */
  latenessHours: number;
  /** An alert episode stays open until this many event-time hours pass without a significant test. */
  episodeQuietHours: number;
  /** Defect evidence at or above this classification confidence is a ticket candidate. */
  ticketConfidenceThreshold: number;
  /** Categories that are defect evidence (ticket candidates). */
  ticketCategories: string[];
  /** Classification confidence under this (or needsReview) is sent to review. */
  reviewThreshold: number;
  /** Categories that never raise volume or sentiment alerts (a surge of praise is no incident). */
  nonIncidentCategories: string[];
  /** Items whose event time is further than this ahead of the wall clock are quarantined (bad clocks). */
  futureToleranceHours: number;
  /** Trailing baseline length in days. */
  baselineDays: number;
  /** A product with less own history than this borrows its category's baseline. */
  minimumHistoryDays: number;
  expectedEvents: ExpectedEvents;
}

export const defaultScoreSettings: ScoreSettings = {
  sensitivity: 0.5,
  minimumVolume: 5,
  minimumRatio: 2,
  minimumSentimentShift: 0.3,
  latenessHours: 48,
  episodeQuietHours: 48,
  ticketConfidenceThreshold: 0.75,
  ticketCategories: ['defect', 'quality'],
  reviewThreshold: 0.5,
  nonIncidentCategories: ['praise'],
  futureToleranceHours: 24,
  baselineDays: 28,
  minimumHistoryDays: 7,
  expectedEvents: { version: 'none', events: [] },
};

export const TESTS_PER_STREAM_DAY = 48;

/** The tail-probability threshold one test must beat (Bonferroni over a stream's daily tests). */
export function alphaOf(sensitivity: number): number {
  const clamped = Math.min(1, Math.max(0, sensitivity));
  return 10 ** -(5 - 2 * clamped) / TESTS_PER_STREAM_DAY;
}

/** Version of the scoring rules, recorded in every score block's provenance. */
export const SCORE_MODEL_VERSION = 'score-2026-11.2';

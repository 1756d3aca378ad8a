/**
 * Route settings: alert-fatigue controls, SLAs and fix verification. The composition root maps
 * app settings onto this shape (see docs/routing.md for names and defaults); handlers never read
 * the environment.
 */
import type { Severity } from '../taxonomy.js';

export interface QuietHours {
  /** Local time 'HH:MM' when quiet hours start (inclusive). */
  start: string;
  /** Local time 'HH:MM' when they end (exclusive); may be earlier than start (over midnight). */
  end: string;
  /** IANA time zone of the on-call team, e.g. 'Europe/Amsterdam'. */
  timeZone: string;
  /** Severities that page even in quiet hours (safety never waits). */
  bypassSeverities: Severity[];
}

export interface RouteSettings {
  /** No second card for the same incident within this many minutes of event time. */
  dedupWindowMinutes: number;
  /** At most this many cards per owner team per rate window; the rest go into a digest. */
  teamRateLimit: { maxCards: number; windowMinutes: number };
  quietHours: QuietHours | null;
  /** Minutes to acknowledge before escalating, per severity. */
  ackSlaMinutes: Record<Severity, number>;
  /** Hours until a ticket is due, per severity (the ticket's SLA due time). */
  resolutionSlaHours: Record<Severity, number>;
  /** Who is escalated to, in order; level n fires after n × the acknowledge SLA. */
  escalationPath: string[];
  /** Days after a resolve during which a returning signal reopens as "regressed after fix". */
  fixVerificationDays: number;
  /** How long a snooze from the card lasts. */
  snoozeHours: number;
  /** Quotes kept on an incident (and shown on the card). */
  maxQuotes: number;
  /** Feedback ids kept on an incident for lineage and redelivery checks. */
  maxFeedbackIds: number;
}

export const defaultRouteSettings: RouteSettings = {
  dedupWindowMinutes: 240,
  teamRateLimit: { maxCards: 5, windowMinutes: 60 },
  quietHours: null,
  ackSlaMinutes: { critical: 15, high: 60, medium: 240, low: 1440 },
  resolutionSlaHours: { critical: 4, high: 24, medium: 72, low: 168 },
  escalationPath: ['owner team lead', 'head of operations'],
  fixVerificationDays: 14,
  snoozeHours: 24,
  maxQuotes: 5,
  maxFeedbackIds: 2000,
};

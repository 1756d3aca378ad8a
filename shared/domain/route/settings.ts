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
  /**
   * Wall-clock budget of one outgoing call (card or ticket) with its retries. An outbox claim
   * lasts this long plus a margin; a claim older than that is from a process that died and is
   * taken over by the next invocation or timer run.
   */
  callDeadlineSeconds: number;
}

/** How long past the call deadline a claim still stands (clock skew, the completion write). */
export const CLAIM_MARGIN_SECONDS = 30;

/** The instant until which a claim made at `claimedAt` stands. */
export function claimLeaseUntil(claimedAt: Date, settings: Pick<RouteSettings, 'callDeadlineSeconds'>): Date {
  return new Date(claimedAt.getTime() + (settings.callDeadlineSeconds + CLAIM_MARGIN_SECONDS) * 1000);
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
  callDeadlineSeconds: 120,
};

/** App-setting names of the route settings (the composition root reads them; see docs/routing.md). */
export const routeSettingNames = {
  dedupWindowMinutes: 'ROUTE_DEDUP_WINDOW_MINUTES',
  teamRateLimit: 'ROUTE_TEAM_RATE_LIMIT',
  teamRateWindowMinutes: 'ROUTE_TEAM_RATE_WINDOW_MINUTES',
  quietHours: 'ROUTE_QUIET_HOURS',
  timeZone: 'ROUTE_TIME_ZONE',
  ackSlaMinutes: 'ROUTE_ACK_SLA_MINUTES',
  resolutionSlaHours: 'ROUTE_RESOLUTION_SLA_HOURS',
  escalationPath: 'ROUTE_ESCALATION_PATH',
  fixVerificationDays: 'ROUTE_FIX_VERIFICATION_DAYS',
  snoozeHours: 'ROUTE_SNOOZE_HOURS',
  callDeadlineSeconds: 'ROUTE_CALL_DEADLINE_SECONDS',
  actionLinkTtlSeconds: 'ACTION_LINK_TTL_SECONDS',
} as const;

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

function perSeverity(
  name: string,
  raw: string | undefined,
  fallback: Record<Severity, number>,
): Record<Severity, number> {
  if (raw === undefined || raw.trim() === '') return fallback;
  const result = { ...fallback };
  for (const pair of raw.split(',')) {
    const [severity, value] = pair.split('=').map((part) => part.trim());
    if (!severity || !(severity in result)) throw new Error(`${name}: unknown severity in '${pair}'`);
    result[severity as Severity] = positive(name, value, Number.NaN);
  }
  return result;
}

/**
 * Route settings from app-setting strings (unset → default), validated once at start-up.
 * Quiet hours are `HH:MM-HH:MM` in ROUTE_TIME_ZONE; critical severity always bypasses them.
 */
export function routeSettingsFrom(values: Record<string, string | undefined>): RouteSettings {
  const get = (key: keyof typeof routeSettingNames): string | undefined => values[routeSettingNames[key]];
  const d = defaultRouteSettings;
  let quietHours: QuietHours | null = null;
  const quiet = get('quietHours');
  if (quiet && quiet.trim() !== '') {
    const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(quiet.trim());
    if (!match?.[1] || !match[2])
      throw new Error(`${routeSettingNames.quietHours} must look like 22:00-07:00`);
    const timeZone = get('timeZone') ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone });
    } catch {
      throw new Error(`${routeSettingNames.timeZone}: unknown time zone '${timeZone}'`);
    }
    quietHours = { start: match[1], end: match[2], timeZone, bypassSeverities: ['critical'] };
  }
  const path = get('escalationPath');
  return {
    ...d,
    dedupWindowMinutes: positive(
      routeSettingNames.dedupWindowMinutes,
      get('dedupWindowMinutes'),
      d.dedupWindowMinutes,
    ),
    teamRateLimit: {
      maxCards: positive(routeSettingNames.teamRateLimit, get('teamRateLimit'), d.teamRateLimit.maxCards),
      windowMinutes: positive(
        routeSettingNames.teamRateWindowMinutes,
        get('teamRateWindowMinutes'),
        d.teamRateLimit.windowMinutes,
      ),
    },
    quietHours,
    ackSlaMinutes: perSeverity(routeSettingNames.ackSlaMinutes, get('ackSlaMinutes'), d.ackSlaMinutes),
    resolutionSlaHours: perSeverity(
      routeSettingNames.resolutionSlaHours,
      get('resolutionSlaHours'),
      d.resolutionSlaHours,
    ),
    escalationPath:
      path && path.trim() !== ''
        ? path
            .split(',')
            .map((step) => step.trim())
            .filter((step) => step !== '')
        : d.escalationPath,
    fixVerificationDays: positive(
      routeSettingNames.fixVerificationDays,
      get('fixVerificationDays'),
      d.fixVerificationDays,
    ),
    snoozeHours: positive(routeSettingNames.snoozeHours, get('snoozeHours'), d.snoozeHours),
    callDeadlineSeconds: positive(
      routeSettingNames.callDeadlineSeconds,
      get('callDeadlineSeconds'),
      d.callDeadlineSeconds,
    ),
  };
}

/**
 * Per-team rate limit: at most N cards per window for one owner team. Cards over the limit are
 * held in the team's digest, sent as one card when the window has passed. Stored in the
 * `incidents` container beside the incidents (key `team-ledger:<team>`), with its own ETag.
 * Windows here are wall-clock: they protect people, not statistics.
 */
import type { RouteSettings } from './settings.js';
import type { DigestEntry } from './card.js';

export interface TeamLedger {
  id: string;
  key: string;
  docType: 'team-ledger';
  team: string;
  windowStart: string;
  cardsInWindow: number;
  digest: DigestEntry[];
  /** Start of the window whose digest went out last (deterministic digest keys). */
  lastDigestWindow?: string;
}

export const ledgerKeyOf = (team: string): string => `team-ledger:${team}`;

export function newLedger(team: string, now: Date): TeamLedger {
  const key = ledgerKeyOf(team);
  return {
    id: key,
    key,
    docType: 'team-ledger',
    team,
    windowStart: now.toISOString(),
    cardsInWindow: 0,
    digest: [],
  };
}

function windowExpired(ledger: TeamLedger, settings: RouteSettings, now: Date): boolean {
  return now.getTime() - Date.parse(ledger.windowStart) >= settings.teamRateLimit.windowMinutes * 60_000;
}

/**
 * Takes a card slot, or adds the entry to the digest when the team's window is full.
 * A window with a digest still pending is not rolled here: the digest must go out first.
 */
export function takeCardSlot(
  ledger: TeamLedger,
  entry: DigestEntry,
  settings: RouteSettings,
  now: Date,
): 'post' | 'digest' {
  if (windowExpired(ledger, settings, now) && ledger.digest.length === 0) {
    ledger.windowStart = now.toISOString();
    ledger.cardsInWindow = 0;
  }
  if (ledger.cardsInWindow < settings.teamRateLimit.maxCards) {
    ledger.cardsInWindow += 1;
    return 'post';
  }
  if (
    !ledger.digest.some((held) => held.incidentKey === entry.incidentKey && held.alertSeq === entry.alertSeq)
  ) {
    ledger.digest.push(entry);
  }
  return 'digest';
}

/** Whether the held digest is due: its window has passed. */
export function digestDue(ledger: TeamLedger, settings: RouteSettings, now: Date): boolean {
  return ledger.digest.length > 0 && windowExpired(ledger, settings, now);
}

/** After the digest is sent: a fresh window that the digest card itself counts against. */
export function digestSent(ledger: TeamLedger, now: Date): void {
  ledger.lastDigestWindow = ledger.windowStart;
  ledger.digest = [];
  ledger.windowStart = now.toISOString();
  ledger.cardsInWindow = 1;
}

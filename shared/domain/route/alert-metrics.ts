/**
 * Alert precision from the useful/noise votes on cards: per rule and threshold (the score's
 * provenance), precision = useful alerts / voted alerts. An alert's label is the majority of its
 * votes; a false-positive click counts as noise.
 */
import type { Incident } from './incident.js';

export interface RulePrecision {
  rule: string;
  threshold: string;
  alerts: number;
  voted: number;
  useful: number;
  noise: number;
  /** null until an alert of this rule has been voted on. */
  precision: number | null;
}

export function alertPrecision(incidents: Incident[]): { rules: RulePrecision[]; overall: RulePrecision } {
  const byRule = new Map<string, RulePrecision>();
  const overall: RulePrecision = {
    rule: '*',
    threshold: '*',
    alerts: 0,
    voted: 0,
    useful: 0,
    noise: 0,
    precision: null,
  };
  for (const incident of incidents) {
    for (const alert of incident.alerts) {
      if (alert.status !== 'sent' && alert.status !== 'digested') continue;
      const id = `${alert.rule}\u0000${alert.threshold}`;
      const row = byRule.get(id) ?? {
        rule: alert.rule,
        threshold: alert.threshold,
        alerts: 0,
        voted: 0,
        useful: 0,
        noise: 0,
        precision: null,
      };
      byRule.set(id, row);
      for (const target of [row, overall]) {
        target.alerts += 1;
        if (alert.votes.useful + alert.votes.noise === 0) continue;
        target.voted += 1;
        if (alert.votes.useful > alert.votes.noise) target.useful += 1;
        else target.noise += 1;
      }
    }
  }
  const finish = (row: RulePrecision): RulePrecision => ({
    ...row,
    precision: row.voted === 0 ? null : Math.round((row.useful / row.voted) * 1000) / 1000,
  });
  return {
    rules: [...byRule.values()]
      .map(finish)
      .sort((a, b) => a.rule.localeCompare(b.rule) || a.threshold.localeCompare(b.threshold)),
    overall: finish(overall),
  };
}

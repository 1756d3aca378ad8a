/**
 * Teams cards: Adaptive Card 1.5 in the Workflows webhook envelope. Office 365 connectors are
 * retired; a Workflows "post to a channel when a webhook request is received" flow takes
 * `{type: 'message', attachments: [{contentType: 'application/vnd.microsoft.card.adaptive', content}]}`.
 *
 * Cards carry only redacted text. Buttons are Action.OpenUrl links to our own endpoints with
 * signed, expiring tokens (Workflows webhooks cannot receive Action.Submit/Execute callbacks).
 */
import { actionLink, incidentUrl, type ActionLinkConfig } from './action-token.js';
import { ratePerDay, trendOf, type CardVariant, type Incident, type IncidentAction } from './incident.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export interface TeamsEnvelope {
  type: 'message';
  attachments: { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: AdaptiveCard }[];
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  msteams: { width: 'Full' };
  fallbackText: string;
  body: object[];
  /** Absent rather than empty: hosts drop an empty action bar anyway. */
  actions?: object[];
}

export function envelope(card: AdaptiveCard): TeamsEnvelope {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }],
  };
}

function card(fallbackText: string, body: object[], actions: object[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    msteams: { width: 'Full' },
    fallbackText,
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

const text = (value: string, extra: Record<string, unknown> = {}): object => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

const heading = (value: string): object =>
  text(value, { weight: 'Bolder', spacing: 'Medium', separator: true });

const severityColor = (incident: Incident): string =>
  incident.severity === 'critical' || incident.severity === 'high' ? 'Attention' : 'Warning';

/** Incident title, e.g. "TRAIL-42 (Trail Runner 42): defect · sole". */
export function incidentTitle(incident: Incident): string {
  const product = incident.productName
    ? `${incident.productKey} (${incident.productName})`
    : incident.productKey;
  return `${product}: ${incident.category}${incident.component ? ` · ${incident.component}` : ''}`;
}

/** '2026-11-27T09:00:00.000Z' → '2026-11-27 09:00' (left as is when it is not an ISO time). */
function shortTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? iso.slice(0, 16).replace('T', ' ') : iso;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function whatChanged(incident: Incident): object[] {
  const anomaly = incident.evidence.anomaly;
  const facts: { title: string; value: string }[] = [];
  if (anomaly) {
    facts.push({ title: 'Signal', value: anomaly.kind.replace(/_/g, ' ') });
    facts.push({ title: 'Observed', value: formatNumber(anomaly.observed) });
    facts.push({ title: 'Expected', value: formatNumber(anomaly.expected) });
    facts.push({
      title: 'Window',
      value: `${shortTime(anomaly.windowStart)} to ${shortTime(anomaly.windowEnd)} UTC`,
    });
    facts.push({ title: 'p-value', value: anomaly.pValue.toExponential(1) });
  }
  facts.push({ title: 'Complaints', value: `${incident.evidence.count} (${ratePerDay(incident)} per day)` });
  facts.push({ title: 'SKUs', value: incident.evidence.skus.join(', ') || incident.productKey });
  const trend = trendOf(incident)
    .map((point) => `${point.date.slice(5)}: ${point.count}`)
    .join(' · ');
  if (trend) facts.push({ title: 'Trend', value: trend });
  return [heading('What changed'), { type: 'FactSet', facts }];
}

function whyItMatters(incident: Incident): object[] {
  const label = (name: string): string => name.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase();
  const show = (value: unknown): string =>
    value !== null && typeof value === 'object'
      ? Object.entries(value)
          .filter(([, inner]) => inner === null || typeof inner !== 'object')
          .map(([name, inner]) => `${label(name)} ${String(inner)}`)
          .join(', ')
      : String(value);
  const lines = Object.entries(incident.evidence.whyItMatters)
    .filter(([name, value]) => value !== null && value !== undefined && name !== 'category')
    .map(([name, value]) => `- ${label(name)}: ${show(value)}`);
  const reasons = incident.evidence.reasons.map((reason) => `- ${reason}`);
  const all = [...lines, ...reasons].slice(0, 8);
  return [
    heading('Why it matters'),
    text(all.length > 0 ? all.join('\n') : `- severity ${incident.severity}`),
  ];
}

function whoShouldAct(incident: Incident): object[] {
  const body = [heading('Who should act'), text(`Owner team: **${incident.ownerTeam}**`)];
  if (incident.evidence.recommendedAction)
    body.push(text(`Recommended: ${incident.evidence.recommendedAction}`));
  return body;
}

function quotes(incident: Incident): object[] {
  if (incident.evidence.quotes.length === 0) return [];
  return [
    heading('What customers say'),
    ...incident.evidence.quotes.slice(0, 3).map((quote) => ({
      type: 'Container',
      style: 'emphasis',
      spacing: 'Small',
      items: [
        {
          type: 'RichTextBlock',
          inlines: [{ type: 'TextRun', text: `“${quote.text}”`, italic: true }],
        },
        text(`${quote.languageCode} · ${quote.channel} · ${quote.severity} — ${quote.summary}`, {
          isSubtle: true,
          size: 'Small',
          spacing: 'None',
        }),
      ],
    })),
  ];
}

function links(incident: Incident, config: ActionLinkConfig): object[] {
  const ticket = incident.ticket
    ? incident.ticket.url
      ? `[${incident.ticket.key}](${incident.ticket.url})`
      : incident.ticket.key
    : 'not yet created';
  return [
    heading('Links'),
    {
      type: 'FactSet',
      facts: [
        { title: 'Ticket', value: ticket },
        { title: 'Incident', value: `[${incident.key}](${incidentUrl(config.baseUrl, incident.key)})` },
      ],
    },
  ];
}

const actionTitles: Record<IncidentAction, string> = {
  acknowledge: 'Acknowledge',
  snooze: 'Snooze',
  false_positive: 'False positive',
  open_ticket: 'Open ticket',
  useful: 'Useful alert',
  noise: 'Noise',
};

function openUrl(
  config: ActionLinkConfig,
  incident: Incident,
  action: IncidentAction,
  seq: number,
  now: Date,
): object {
  return {
    type: 'Action.OpenUrl',
    title: actionTitles[action],
    url: actionLink(config, incident.key, action, seq, now),
  };
}

/** The alert card, or its "regressed after fix" variant. */
export function buildAlertCard(
  incident: Incident,
  alertSeq: number,
  variant: CardVariant,
  config: ActionLinkConfig,
  now: Date,
): TeamsEnvelope {
  const title = incidentTitle(incident);
  const headline =
    variant === 'regressed'
      ? `Regressed after fix: ${title}`
      : `${incident.severity === 'critical' ? 'Critical alert' : 'Alert'}: ${title}`;
  const subtitle =
    variant === 'regressed' && incident.resolution
      ? `Resolved ${incident.resolution.at.slice(0, 16).replace('T', ' ')} UTC, and the signal is back. Severity ${incident.severity}.`
      : `Severity ${incident.severity} · incident ${incident.status} · alert #${alertSeq}`;
  const body: object[] = [
    text(headline, { size: 'Large', weight: 'Bolder', color: severityColor(incident), style: 'heading' }),
    text(subtitle, { isSubtle: true, spacing: 'None' }),
  ];
  if (incident.evidence.summary) body.push(text(incident.evidence.summary));
  body.push(
    ...whatChanged(incident),
    ...whyItMatters(incident),
    ...whoShouldAct(incident),
    ...quotes(incident),
  );
  body.push(...links(incident, config));
  body.push(text('Was this alert useful?', { weight: 'Bolder', spacing: 'Medium' }), {
    type: 'ActionSet',
    actions: [
      openUrl(config, incident, 'useful', alertSeq, now),
      openUrl(config, incident, 'noise', alertSeq, now),
    ],
  });
  const actions = (['acknowledge', 'snooze', 'false_positive'] as const).map((action) =>
    openUrl(config, incident, action, alertSeq, now),
  );
  if (!incident.ticket) actions.push(openUrl(config, incident, 'open_ticket', alertSeq, now));
  return envelope(card(headline, body, actions));
}

/** Escalation: the incident is still unacknowledged past its SLA. */
export function buildEscalationCard(
  incident: Incident,
  alertSeq: number,
  level: number,
  target: string,
  config: ActionLinkConfig,
  now: Date,
): TeamsEnvelope {
  const headline = `Escalation level ${level} to ${target}: ${incidentTitle(incident)}`;
  const body: object[] = [
    text(headline, { size: 'Large', weight: 'Bolder', color: 'Attention', style: 'heading' }),
    text(
      `Unacknowledged past the ${incident.severity} SLA since alert #${alertSeq}. Owner team: ${incident.ownerTeam}.`,
      { isSubtle: true },
    ),
    ...whatChanged(incident),
    ...links(incident, config),
  ];
  return envelope(
    card(headline, body, [
      openUrl(config, incident, 'acknowledge', alertSeq, now),
      openUrl(config, incident, 'snooze', alertSeq, now),
    ]),
  );
}

export interface DigestEntry {
  incidentKey: string;
  title: string;
  severity: string;
  count: number;
  alertSeq: number;
}

/** The per-team digest of alerts held back by the rate limit. */
export function buildDigestCard(
  team: string,
  entries: DigestEntry[],
  windowStart: string,
  config: ActionLinkConfig,
): TeamsEnvelope {
  const headline = `Digest for ${team}: ${entries.length} more alert${entries.length === 1 ? '' : 's'}`;
  const body: object[] = [
    text(headline, { size: 'Large', weight: 'Bolder', style: 'heading' }),
    text(`Held back by the per-team rate limit since ${windowStart.slice(0, 16).replace('T', ' ')} UTC.`, {
      isSubtle: true,
      spacing: 'None',
    }),
    ...entries.slice(0, 20).map((entry) => ({
      type: 'Container',
      spacing: 'Small',
      items: [
        text(`[${entry.title}](${incidentUrl(config.baseUrl, entry.incidentKey)})`, { weight: 'Bolder' }),
        text(`${entry.severity} · ${entry.count} complaints · alert #${entry.alertSeq}`, {
          isSubtle: true,
          spacing: 'None',
        }),
      ],
    })),
  ];
  return envelope(card(headline, body, []));
}

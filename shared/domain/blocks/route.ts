/** The route stage's block on the stored feedback record: what routing did with this item. */
export const routeActions = [
  'ignored',
  'incident_created',
  'evidence_added',
  'reopened',
  'regressed',
  'duplicate',
] as const;
export type RouteAction = (typeof routeActions)[number];

export interface RouteBlock {
  /** The incident this item is evidence for; absent when it was ignored without one. */
  incidentKey?: string;
  action: RouteAction;
  /** Deterministic key of the card this item raised, if it raised one. */
  cardKey?: string;
  /** The incident's ticket at the time of routing. */
  ticketKey?: string;
  incidentStatus?: string;
  routedAt: string;
}

export const routeBlockSchema = {
  type: 'object',
  required: ['action', 'routedAt'],
  properties: {
    incidentKey: { type: 'string', minLength: 1 },
    action: { enum: [...routeActions] },
    cardKey: { type: 'string' },
    ticketKey: { type: 'string' },
    incidentStatus: { type: 'string' },
    routedAt: { type: 'string', format: 'date-time' },
  },
  additionalProperties: false,
} as const;

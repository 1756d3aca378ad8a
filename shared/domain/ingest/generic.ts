/** Generic deliveries: one item or an array of items in our own published format. */
import { compactTimestamp, parseEventTime } from './raw-path.js';
import { validateGenericBatch, validateGenericItem, type GenericItem } from './generic-item.js';
import {
  bodyDigest,
  rejectWith,
  tenantFromQuery,
  type DeliveryInput,
  type Extraction,
  type PlannedItem,
} from './delivery.js';

export const GENERIC_TOPIC = 'generic';

/** The revision of a generic item: its own `revision`, else createdAt in compact form. */
export function genericRevision(item: GenericItem): string {
  if (item.revision) return item.revision;
  const createdAt = parseEventTime(item.createdAt);
  return createdAt ? compactTimestamp(createdAt) : item.createdAt;
}

export function plannedGenericItem(item: GenericItem, itemPointer: string, receivedAt: Date): PlannedItem {
  return {
    sourceId: item.id,
    revision: genericRevision(item),
    itemPointer,
    eventTime: parseEventTime(item.createdAt) ?? receivedAt,
    feedback: true,
  };
}

export function extractGeneric(input: DeliveryInput): Extraction {
  const query = tenantFromQuery(input);
  if (!query.ok) return rejectWith(400, 'invalid tenant parameter');
  let items: PlannedItem[];
  if (Array.isArray(input.body)) {
    const checked = validateGenericBatch(input.body);
    if (!checked.ok) return rejectWith(422, checked.error);
    items = checked.value.map((item, index) => plannedGenericItem(item, `/${index}`, input.receivedAt));
  } else {
    const checked = validateGenericItem(input.body);
    if (!checked.ok) return rejectWith(422, checked.error);
    items = [plannedGenericItem(checked.value, '', input.receivedAt)];
  }
  return {
    ok: true,
    plan: { topic: GENERIC_TOPIC, tenant: query.tenant ?? '', deliveryId: bodyDigest(input.rawBody), items },
  };
}

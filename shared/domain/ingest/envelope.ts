/** Turns a planned item into the immutable raw envelope, its blob path and its blob metadata. */
import { SCHEMA_VERSION, feedbackIdOf, type RawEnvelope, type Source } from '../record.js';
import { rawBlobPath } from './raw-path.js';
import type { DeliveryPlan, PlannedItem } from './delivery.js';

export interface LandingWrite {
  path: string;
  envelope: RawEnvelope;
  metadata: Record<string, string>;
}

export interface EnvelopeContext {
  source: Source;
  plan: Pick<DeliveryPlan, 'topic' | 'tenant' | 'deliveryId'>;
  receivedAt: Date;
  contentType: string;
  /** The original body, base64: computed once per delivery and shared by its items. */
  bodyBase64: string;
}

/** Blob metadata must be ASCII; ids and pointers are percent-encoded. */
function metadataValue(value: string): string {
  return encodeURIComponent(value).slice(0, 1024);
}

export function buildLandingWrite(context: EnvelopeContext, item: PlannedItem): LandingWrite {
  const { source, plan, receivedAt } = context;
  const envelope: RawEnvelope = {
    schemaVersion: SCHEMA_VERSION,
    feedbackId: feedbackIdOf(source, plan.tenant, item.sourceId),
    source,
    sourceId: item.sourceId,
    revision: item.revision,
    receivedAt: receivedAt.toISOString(),
    tenant: plan.tenant,
    topic: plan.topic,
    deliveryId: plan.deliveryId,
    itemPointer: item.itemPointer,
    contentType: context.contentType,
    body: context.bodyBase64,
  };
  const metadata: Record<string, string> = {
    feedbackid: envelope.feedbackId,
    source,
    sourceid: metadataValue(item.sourceId),
    revision: metadataValue(item.revision),
    tenant: metadataValue(plan.tenant),
    topic: metadataValue(plan.topic),
    deliveryid: metadataValue(plan.deliveryId),
    receivedat: envelope.receivedAt,
    itempointer: metadataValue(item.itemPointer),
    feedback: item.feedback ? 'true' : 'false',
  };
  return {
    path: rawBlobPath(source, item.sourceId, item.revision, item.eventTime ?? receivedAt),
    envelope,
    metadata,
  };
}

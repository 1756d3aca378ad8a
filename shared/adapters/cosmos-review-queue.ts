/**
 * The review queue on Cosmos DB (container `reviewQueue`, partition key /id, id = feedback id).
 * Point reads and ETag-guarded replaces per item; listing is a query on `status` ordered by one
 * field (the portable subset the local emulator also runs). A newer revision of a pending item
 * replaces it; a resolved item is never reopened by a redelivery.
 */
import type { Container } from '@azure/cosmos';
import type { NewReviewItem, ReviewItem, ReviewQueueStore, ReviewResolution } from '../domain/review.js';

type ReviewDocument = ReviewItem & { _etag?: string };

const MAX_ATTEMPTS = 5;

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function strip(doc: ReviewDocument): ReviewItem {
  const item: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) if (!key.startsWith('_')) item[key] = value;
  return item as unknown as ReviewItem;
}

export class CosmosReviewQueue implements ReviewQueueStore {
  constructor(private readonly container: Container) {}

  private async read(id: string): Promise<ReviewDocument | undefined> {
    const response = await this.container.item(id, id).read<ReviewDocument>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    return response.resource;
  }

  async enqueue(item: NewReviewItem): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const existing = await this.read(item.id);
      if (existing && (existing.status === 'resolved' || existing.revision >= item.revision)) return;
      const doc: ReviewItem = { ...item, status: 'pending' };
      try {
        if (existing) {
          await this.container
            .item(item.id, item.id)
            .replace(doc, { accessCondition: { type: 'IfMatch', condition: existing._etag ?? '' } });
        } else {
          await this.container.items.create(doc);
        }
        return;
      } catch (error) {
        const status = statusOf(error);
        if ((status === 409 || status === 412) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  private async listByStatus(status: 'pending' | 'resolved', limit: number): Promise<ReviewItem[]> {
    const { resources } = await this.container.items
      .query<ReviewDocument>({
        query: 'SELECT * FROM c WHERE c.status = @status ORDER BY c.createdAt',
        parameters: [{ name: '@status', value: status }],
      })
      .fetchAll();
    return resources.slice(0, Math.max(0, limit)).map(strip);
  }

  listPending(limit: number): Promise<ReviewItem[]> {
    return this.listByStatus('pending', limit);
  }

  listResolved(limit: number): Promise<ReviewItem[]> {
    return this.listByStatus('resolved', limit);
  }

  async get(id: string): Promise<ReviewItem | undefined> {
    const doc = await this.read(id);
    return doc ? strip(doc) : undefined;
  }

  async resolve(
    id: string,
    resolution: ReviewResolution,
    resolvedAt: string,
  ): Promise<ReviewItem | undefined> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const existing = await this.read(id);
      if (!existing) return undefined;
      const doc: ReviewItem = {
        ...strip(existing),
        status: 'resolved',
        resolution: { ...resolution, resolvedAt },
      };
      try {
        await this.container
          .item(id, id)
          .replace(doc, { accessCondition: { type: 'IfMatch', condition: existing._etag ?? '' } });
        return doc;
      } catch (error) {
        if (statusOf(error) === 412 && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
    return undefined;
  }
}

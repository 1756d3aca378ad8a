/**
 * The feature store on Cosmos DB (container `features`, partition key /key, id = key). Point
 * operations only: read, create, replace with If-Match, and a one-property patch. Each document
 * is `{ id, key, value }` so the feature state never mixes with Cosmos system properties.
 */
import type { Container, PatchOperation } from '@azure/cosmos';
import type { FeatureStore, Versioned, WriteResult } from '../domain/score/feature-store.js';

interface FeatureDocument {
  id: string;
  key: string;
  value: unknown;
  _etag?: string;
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** JSON Pointer segment escaping (RFC 6901): product keys may contain '/' or '~'. */
const pointerSegment = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');

export class CosmosFeatureStore implements FeatureStore {
  constructor(private readonly container: Container) {}

  async read<T>(key: string): Promise<Versioned<T> | undefined> {
    const response = await this.container.item(key, key).read<FeatureDocument>();
    const resource = response.resource;
    if (!resource || response.statusCode === 404) return undefined;
    return { value: resource.value as T, etag: resource._etag ?? response.etag };
  }

  async write<T>(key: string, value: T, etag: string | undefined): Promise<WriteResult> {
    const doc: FeatureDocument = { id: key, key, value };
    try {
      const response =
        etag === undefined
          ? await this.container.items.create(doc)
          : await this.container
              .item(key, key)
              .replace(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
      return { ok: true, etag: response.resource?._etag ?? response.etag };
    } catch (error) {
      const status = statusOf(error);
      // 409: created meanwhile; 412: changed meanwhile; 404: deleted meanwhile.
      if (status === 409 || status === 412 || status === 404) return { ok: false, reason: 'conflict' };
      throw error;
    }
  }

  async setField(key: string, property: string, field: string, value: unknown): Promise<void> {
    const operations: PatchOperation[] = [
      { op: 'set', path: `/value/${pointerSegment(property)}/${pointerSegment(field)}`, value },
    ];
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.container.item(key, key).patch(operations);
        return;
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      try {
        await this.container.items.create<FeatureDocument>({
          id: key,
          key,
          value: { [property]: { [field]: value } },
        });
        return;
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
    }
    throw new Error(`feature store: could not set ${property}.${field} on ${key}`);
  }
}

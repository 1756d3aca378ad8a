/**
 * The durable state of the local Cosmos emulator's in-memory account (`@vercel/cosmosdb-server`):
 * which resources a write touched, what they hold now, and how to put a resource back exactly as
 * it was stored (same `_etag`, `_ts`, `_rid` and `_self`, so ETag-conditional writes made before a
 * restart still succeed after it).
 *
 * The write-ahead log and the snapshot hold the same kind of entry: one resource's state after a
 * write, or its absence after a delete. Restoring one is a map insert in the server's own lists,
 * not a request through its HTTP handlers, so a start-up takes seconds however many documents
 * there are.
 */
import type * as accountModule from '@vercel/cosmosdb-server/lib/account/index.js';
import type * as itemModule from '@vercel/cosmosdb-server/lib/account/item.js';
import type * as itemObjectModule from '@vercel/cosmosdb-server/lib/account/item-object.js';
import type * as itemsModule from '@vercel/cosmosdb-server/lib/account/items.js';
import { parsePartitionKey } from '@vercel/cosmosdb-server/lib/utils/get-partition-from-header.js';

// The package is CommonJS: its classes are the modules' `default` exports.
export type Account = accountModule.default;
type Item = itemModule.default;
type ItemObject = itemObjectModule.default;
type Items = itemsModule.default<Item, Item>;

type ResourceKind = 'database' | 'collection' | 'document' | 'udf';

/** A resource the server keeps: a database, a container, a document or a user-defined function. */
export interface ResourceRef {
  kind: ResourceKind;
  /** The database's id (for collections, documents and functions). */
  database?: string;
  /** The container's id (for documents and functions). */
  collection?: string;
  id: string;
  /** The partition key value the server files a document under (the id for other kinds). */
  partition: unknown;
}

/** One resource's state after a write: as stored, or null once deleted. */
export interface StateEntry extends ResourceRef {
  resource: ItemObject | null;
  /** The resource-id counter of the list that holds it, so later creates get fresh `_rid`s. */
  counter: number;
}

type Body = Record<string, unknown>;

/** The list a resource lives in, or undefined when its database or container does not exist. */
function listOf(account: Account, ref: ResourceRef): Items | undefined {
  if (ref.kind === 'database') return account.databases;
  const database = account.database(ref.database ?? '');
  if (!database.read()) return undefined;
  if (ref.kind === 'collection') return database.collections;
  const collection = database.collection(ref.collection ?? '');
  if (!collection.read()) return undefined;
  return ref.kind === 'document' ? collection.documents : collection.userDefinedFunctions;
}

/** The state of `ref` now, or undefined when its database or container is gone. */
export function currentState(account: Account, ref: ResourceRef): StateEntry | undefined {
  const list = listOf(account, ref);
  if (!list) return undefined;
  const stored = list._item('/id', ref.id, ref.partition).read() as ItemObject | undefined;
  return { ...ref, resource: stored ?? null, counter: list._ridCount };
}

/**
 * Puts a resource into the account as the entry says: inserted with its stored system properties,
 * replaced when the stored one differs (a replace moves it to the end of its list, as the server's
 * own replace does), or deleted.
 */
export function restore(account: Account, entry: StateEntry): void {
  const list = listOf(account, entry);
  if (!list) return;
  list._ridCount = Math.max(list._ridCount, entry.counter);
  const stored = list._item('/id', entry.id, entry.partition).read() as ItemObject | undefined;
  if (entry.resource && stored?._etag === entry.resource._etag) return;
  if (stored) list.delete(entry.id, entry.partition);
  if (!entry.resource) return;
  list._set({ ...entry.resource });
  if (entry.kind === 'udf') {
    // The server compiles a function when it is written: rewrite it in place, then put back the
    // logged version's system properties.
    const functions = list as unknown as { replace(data: Body): Body };
    const rewritten = functions.replace({ id: entry.id, body: entry.resource.body });
    Object.assign(rewritten, { _etag: entry.resource._etag, _ts: entry.resource._ts });
  }
}

/** Every database, container, document and function, parents first, in the server's own order. */
export function* snapshotEntries(account: Account): Generator<StateEntry> {
  const entry = (list: Items, item: Item, ref: Omit<ResourceRef, 'id' | 'partition'>): StateEntry => {
    const resource = item.read();
    const partition: unknown = ref.kind === 'document' ? list._getPartition(resource) : resource.id;
    return { ...ref, id: resource.id, partition, resource, counter: list._ridCount };
  };
  const databases = account.databases;
  for (const database of account.databases._data.values()) {
    yield entry(databases, database, { kind: 'database' });
    const collections = database.collections;
    const inDatabase = { database: database.read().id };
    for (const collection of database.collections._data.values()) {
      yield entry(collections, collection, { kind: 'collection', ...inDatabase });
      const inCollection = { ...inDatabase, collection: collection.read().id };
      const documents = collection.documents;
      for (const document of collection.documents._data.values())
        yield entry(documents, document, { kind: 'document', ...inCollection });
      const functions = collection.userDefinedFunctions;
      for (const udf of collection.userDefinedFunctions._data.values())
        yield entry(functions, udf, { kind: 'udf', ...inCollection });
    }
  }
}

/** A request as the server's router saw it. */
export interface RoutedWrite {
  method: string;
  /** The path's segments, e.g. `['dbs', 'feedback', 'colls', 'dedupe', 'docs']`. */
  segments: string[];
  /** Route parameters, URL-decoded: dbId, collId, docId, udfId. */
  params: Record<string, string | undefined>;
  partitionKeyHeader: string | undefined;
  isBatch: boolean;
  /** A batch's operations (other writes are known from their response). */
  requestBody: unknown;
  /** What the server answered: the resource as stored, for a create, upsert or replace. */
  responseBody: unknown;
}

/** `<segments> <method>` of every write route the server has; each is logged below. */
const loggedWrites = new Set([
  '1 POST', // create database
  '2 DELETE', // delete database
  '3 POST', // create container
  '4 PUT', // replace container
  '4 DELETE', // delete container
  '5 POST', // create, upsert or batch documents; create or upsert a function
  '6 PUT', // replace a document or function
  '6 PATCH', // patch a document
  '6 DELETE', // delete a document or function
]);

export function isLoggedWrite(method: string, segments: string[]): boolean {
  return loggedWrites.has(`${segments.length} ${method}`);
}

/** The partition a document write addressed, as the server reads it (not found when unreadable: the server failed that write). */
function partitionOf(header: unknown, id: string): { found: true; value: unknown } | { found: false } {
  try {
    return { found: true, value: parsePartitionKey(String(header), id) };
  } catch {
    return { found: false };
  }
}

const asBody = (value: unknown): Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};

/** The resources a write (one of `loggedWrites`) can have changed. */
export function touchedResources(account: Account, write: RoutedWrite): ResourceRef[] {
  const { method, segments, params } = write;
  const database = account.database(params.dbId ?? '').read()?.id ?? params.dbId ?? '';
  const collection =
    account
      .database(database)
      .collection(params.collId ?? '')
      .read()?.id ??
    params.collId ??
    '';
  const named = (kind: ResourceKind, id: unknown): ResourceRef[] => {
    if (typeof id !== 'string' || id === '') return [];
    const parents =
      kind === 'database' ? {} : kind === 'collection' ? { database } : { database, collection };
    return [{ kind, ...parents, id, partition: id }];
  };
  const document = (id: unknown, partition: unknown): ResourceRef[] =>
    typeof id === 'string' && id !== '' ? [{ kind: 'document', database, collection, id, partition }] : [];
  /** A document as the server stored it (or was asked to): filed under its partition key value. */
  const stored = (resource: unknown): ResourceRef[] => {
    const documents = account.database(database).collection(collection).documents;
    return document(asBody(resource).id, documents._getPartition(asBody(resource)));
  };
  /** A document named in the URL or a batch operation, filed under the partition it names. */
  const addressed = (id: unknown, partitionKey: unknown): ResourceRef[] => {
    const partition = partitionOf(partitionKey, String(id));
    return partition.found ? document(id, partition.value) : [];
  };
  const inFunctions = segments[4] === 'udfs';
  switch (`${segments.length} ${method}`) {
    case '1 POST':
      return named('database', asBody(write.responseBody).id);
    case '2 DELETE':
      return named('database', database);
    case '3 POST':
      return named('collection', asBody(write.responseBody).id);
    case '4 PUT':
    case '4 DELETE':
      return named('collection', collection);
    case '5 POST':
      if (inFunctions) return named('udf', asBody(write.responseBody).id);
      if (!write.isBatch) return stored(write.responseBody);
      return (Array.isArray(write.requestBody) ? (write.requestBody as unknown[]) : []).flatMap(
        (operation) => {
          const { operationType, id, partitionKey, resourceBody } = asBody(operation);
          if (operationType === 'Read') return [];
          return operationType === 'Delete' ? addressed(id, partitionKey) : stored(resourceBody);
        },
      );
    case '6 PUT':
      return inFunctions ? named('udf', params.udfId) : stored(write.responseBody);
    case '6 PATCH':
    case '6 DELETE':
      return inFunctions ? named('udf', params.udfId) : addressed(params.docId, write.partitionKeyHeader);
    default:
      return [];
  }
}

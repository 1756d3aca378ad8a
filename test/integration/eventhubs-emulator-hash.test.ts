// The emulator's partition-key routing against the hash vectors the Azure SDKs publish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { partitionForKey, partitionKeyHash } from '../../local/eventhubs-emulator/partition-key.js';

interface Vectors {
  vectors: { key: string; hash: number }[];
}

const fixture = new URL('../fixtures/eventhubs/partition-key-vectors.json', import.meta.url);
const { vectors } = JSON.parse(readFileSync(fixture, 'utf8')) as Vectors;

void test('partition-key hash matches the published service vectors', () => {
  assert.ok(vectors.length >= 10);
  for (const { key, hash } of vectors) assert.equal(partitionKeyHash(key), hash, key);
});

void test('a key always maps to the same partition within range', () => {
  for (const count of [1, 2, 4, 7, 32]) {
    const first = partitionForKey('sku-123', count);
    assert.ok(first >= 0 && first < count);
    assert.equal(partitionForKey('sku-123', count), first);
  }
  assert.equal(partitionForKey('7', 16), Math.abs(-15263 % 16));
});

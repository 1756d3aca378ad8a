/**
 * The local Azurite's promise: a write it acknowledged survives a `kill -9` (its metadata is in
 * the write-ahead journal before the answer), across several crashes and a clean restart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../local/services/azurite.js';

async function contents(container: ContainerClient): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const blob of container.listBlobsFlat()) {
    found.set(blob.name, (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'));
  }
  return found;
}

void describe('local Azurite durability', { timeout: 120_000 }, () => {
  let dataDir: string;
  let azurite: AzuriteInstance | undefined;

  const start = async (): Promise<ContainerClient> => {
    azurite = await startAzurite({ dataDir });
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'raw',
    );
    await container.createIfNotExists();
    return container;
  };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'azurite-crash-'));
  });

  after(async () => {
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('keeps every acknowledged create, overwrite and delete through kills and a clean restart', async () => {
    const expected = new Map<string, string>();
    let container = await start();
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(
        Array.from({ length: 60 }, async (_, index) => {
          const name = `round-${round}/item-${index}.json`;
          const body = JSON.stringify({ round, index });
          await container
            .getBlockBlobClient(name)
            .upload(body, body.length, { conditions: { ifNoneMatch: '*' } });
          expected.set(name, body);
        }),
      );
      // Overwrite and delete some of the previous round's blobs.
      if (round > 0) {
        for (let index = 0; index < 20; index += 1) {
          const name = `round-${round - 1}/item-${index}.json`;
          if (index % 2 === 0) {
            const body = JSON.stringify({ overwritten: round });
            await container.getBlockBlobClient(name).upload(body, body.length);
            expected.set(name, body);
          } else {
            await container.deleteBlob(name);
            expected.delete(name);
          }
        }
      }
      assert.deepEqual(await contents(container), expected, `round ${round} before the crash`);
      await azurite!.kill();
      container = await start();
      assert.deepEqual(await contents(container), expected, `round ${round} after kill -9`);
    }
    await azurite!.stop();
    container = await start();
    assert.deepEqual(await contents(container), expected, 'after a clean restart');
    // A redelivery of an acknowledged blob still finds it there.
    const [name, body] = [...expected][0]!;
    await assert.rejects(
      container.getBlockBlobClient(name).upload(body, body.length, { conditions: { ifNoneMatch: '*' } }),
      (error: { statusCode?: number }) => error.statusCode === 409,
    );
  });
});

/**
 * The local Azurite's shortcuts (local/services/azurite-speedups.ts) change what it costs, not
 * what it answers: every kind of write still stores the exact bytes with their MD5, operations
 * still dispatch as before, and what was acknowledged is still there after a `kill -9`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteInstance } from '../../local/services/azurite.js';

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');

void describe('local Azurite shortcuts', { timeout: 120_000 }, () => {
  let dataDir: string;
  let azurite: AzuriteInstance | undefined;
  let container: ContainerClient;

  const start = async (): Promise<void> => {
    azurite = await startAzurite({ dataDir });
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'speedups',
    );
    await container.createIfNotExists();
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'azurite-speedups-'));
    await start();
  });

  after(async () => {
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const written = new Map<string, Buffer>();

  void it('stores small and large block blobs byte for byte, with the MD5 of what was sent', async () => {
    for (const [name, size] of [
      ['small.json', 900],
      ['empty.json', 0],
      ['exactly-4mb.bin', 4 * 1024 * 1024],
      ['over-4mb.bin', 4 * 1024 * 1024 + 17], // past the in-memory limit: Azurite's own path
    ] as const) {
      const body = randomBytes(size);
      const response = await container.getBlockBlobClient(name).upload(body, body.length);
      if (size > 0) assert.equal(Buffer.from(response.contentMD5 ?? []).toString('base64'), md5(body), name);
      assert.deepEqual(await container.getBlobClient(name).downloadToBuffer(), body, name);
      written.set(name, body);
    }
  });

  void it('stages and commits blocks, appends to append blobs, and refuses a wrong Content-MD5', async () => {
    const blocks = [randomBytes(1000), randomBytes(5000), randomBytes(3)];
    const blockBlob = container.getBlockBlobClient('blocks.bin');
    const ids = blocks.map((_, index) => Buffer.from(`block-${index}`).toString('base64'));
    for (const [index, block] of blocks.entries())
      await blockBlob.stageBlock(ids[index]!, block, block.length);
    await blockBlob.commitBlockList(ids);
    const joined = Buffer.concat(blocks);
    assert.deepEqual(await blockBlob.downloadToBuffer(), joined);
    written.set('blocks.bin', joined);

    const appendBlob = container.getAppendBlobClient('append.log');
    await appendBlob.create();
    const parts = [Buffer.from('first line\n'), Buffer.from('second line\n')];
    for (const part of parts) await appendBlob.appendBlock(part, part.length);
    assert.deepEqual(await appendBlob.downloadToBuffer(), Buffer.concat(parts));
    written.set('append.log', Buffer.concat(parts));

    const body = Buffer.from('checked body');
    await assert.rejects(
      container.getBlockBlobClient('wrong-md5.txt').upload(body, body.length, {
        blobHTTPHeaders: { blobContentMD5: createHash('md5').update('x').digest() },
      }),
      (error: { statusCode?: number }) => error.statusCode === 400,
    );
  });

  void it('dispatches each operation as before (metadata, properties, listing, conditions, deletes)', async () => {
    await container.setMetadata({ purpose: 'speedups' });
    assert.deepEqual((await container.getProperties()).metadata, { purpose: 'speedups' });
    const name = 'odd names/a%2Fb c+d é@1.json';
    const body = Buffer.from('{"odd":true}');
    await container.getBlockBlobClient(name).upload(body, body.length, {
      metadata: { sourceid: 'a%2Fb' },
      conditions: { ifNoneMatch: '*' },
    });
    written.set(name, body);
    await assert.rejects(
      container.getBlockBlobClient(name).upload(body, body.length, { conditions: { ifNoneMatch: '*' } }),
      (error: { statusCode?: number }) => error.statusCode === 409,
    );
    const blob = container.getBlobClient(name);
    await blob.setMetadata({ sourceid: 'changed' });
    assert.deepEqual((await blob.getProperties()).metadata, { sourceid: 'changed' });
    const listed: string[] = [];
    for await (const item of container.listBlobsFlat({ prefix: 'odd names/' })) listed.push(item.name);
    assert.deepEqual(listed, [name]);
    await container.deleteBlob('empty.json');
    written.delete('empty.json');
    assert.equal(await container.getBlobClient('empty.json').exists(), false);
  });

  void it('moves on to a new extent file past 64 MB and keeps the blobs on both sides', async () => {
    for (let index = 0; index < 17; index += 1) {
      const body = randomBytes(4 * 1024 * 1024);
      const name = `rollover/${index}.bin`;
      await container.getBlockBlobClient(name).upload(body, body.length);
      written.set(name, body);
    }
  });

  void it('keeps every acknowledged write through a kill -9', async () => {
    await azurite!.kill();
    await start();
    const found = new Map<string, Buffer>();
    for await (const item of container.listBlobsFlat())
      found.set(item.name, await container.getBlobClient(item.name).downloadToBuffer());
    assert.deepEqual([...found.keys()].sort(), [...written.keys()].sort());
    for (const [name, body] of written) assert.deepEqual(found.get(name), body, name);
  });
});

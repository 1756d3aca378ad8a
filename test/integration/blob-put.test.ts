/**
 * The raw store's Put Blob (shared/adapters/blob-put.ts) sends what `BlockBlobClient.upload`
 * sends for the same write, lands the blob under the same name with the same properties, and
 * authorizes, retries and gives up as the SDK does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { startAzurite, AZURITE_ACCOUNT, type AzuriteInstance } from '../../local/services/azurite.js';
import { BlobPutter, blobUrl } from '../../shared/adapters/blob-put.js';
import { rawBlobPath, sanitizePathSegment } from '../../shared/domain/ingest/raw-path.js';

const ODD_NAMES = [
  'generic/2026/11/27/a%2Fb@20261127T120000000Z.json',
  "odd/a b+c'd(e)!*~.json",
  'odd/é中文😀/x@1.json',
  'odd/%25literal%/q?x=1&y#z.json',
  'odd/semi;colon,comma=eq[brackets]{braces}|pipe^caret`tick"quote<lt>gt\\back.json',
  'odd//double-slash/./dot/../dots.json',
  rawBlobPath('generic', 'nps/1 ü?&', '2026:11+27', new Date('2026-11-27T12:00:00Z')),
  `generic/2026/11/27/${sanitizePathSegment('x'.repeat(300))}@r.json`,
];

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local endpoint that records requests and answers with the given statuses in turn. */
async function recorder(statuses: (number | 'reset' | 'hang')[]): Promise<{
  server: Server;
  url: string;
  requests: Captured[];
}> {
  const requests: Captured[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = statuses[Math.min(requests.length - 1, statuses.length - 1)] ?? 201;
      if (answer === 'reset') request.socket.destroy();
      else if (answer !== 'hang') response.writeHead(answer, { 'content-length': '0' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}/raw`, requests };
}

/** The headers that differ between two otherwise identical requests. */
function comparable(headers: IncomingHttpHeaders): Record<string, unknown> {
  const {
    'x-ms-date': _date,
    'x-ms-client-request-id': _id,
    'user-agent': _agent,
    authorization,
    ...rest
  } = headers;
  return { ...rest, authorization: String(authorization).split(':')[0] };
}

void describe('raw store Put Blob', { timeout: 120_000 }, () => {
  let dataDir: string;
  let azurite: AzuriteInstance;
  let service: BlobServiceClient;
  let container: ContainerClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'blob-put-test-'));
    azurite = await startAzurite({ dataDir });
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    container = service.getContainerClient('raw');
    await container.createIfNotExists();
  });

  after(async () => {
    await azurite?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  void it('addresses every blob name exactly as the SDK does', () => {
    for (const base of [
      container.url,
      'https://acct.blob.core.windows.net/raw',
      'http://h/acct/raw?sv=1&sig=a%2Bb',
    ]) {
      const client = new ContainerClient(base);
      for (const name of ODD_NAMES)
        assert.equal(blobUrl(base, name), client.getBlockBlobClient(name).url, name);
    }
  });

  void it('sends the request the SDK sends for the same conditional upload', async () => {
    const { server, url, requests } = await recorder([201]);
    try {
      const local = BlobServiceClient.fromConnectionString(
        azurite.connectionString.replace(azurite.blobEndpoint, url.replace(/\/raw$/, '')),
      ).getContainerClient('raw');
      const metadata = { feedbackid: 'f1', tenant: '', sourceid: 'a%2Fb' };
      const body = Buffer.from('{"same":true}');
      await local.getBlockBlobClient(ODD_NAMES[0]!).upload(body, body.length, {
        conditions: { ifNoneMatch: '*' },
        metadata,
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      await new BlobPutter(local).put(ODD_NAMES[0]!, body, metadata, 'application/json', 5000);
      const [sdk, ours] = requests;
      assert.ok(sdk && ours);
      assert.equal(ours.method, sdk.method);
      assert.equal(ours.url, sdk.url);
      assert.equal(ours.body, sdk.body);
      assert.deepEqual(comparable(ours.headers), comparable(sdk.headers));
    } finally {
      server.close();
    }
  });

  void it('lands the blob the SDK would land: name, bytes, content type and metadata', async () => {
    const putter = new BlobPutter(container);
    for (const [index, name] of ODD_NAMES.entries()) {
      const body = Buffer.from(JSON.stringify({ index }));
      const metadata = { feedbackid: `f${index}`, tenant: '', sourceid: encodeURIComponent(name) };
      assert.equal((await putter.put(name, body, metadata, 'application/json', 5000)).status, 201, name);
      const again = await putter.put(name, body, metadata, 'application/json', 5000);
      assert.equal(again.status, 409, name);
      assert.equal(again.errorCode, 'BlobAlreadyExists');
      const twin = `sdk/${name}`;
      await container.getBlockBlobClient(twin).upload(body, body.length, {
        conditions: { ifNoneMatch: '*' },
        metadata,
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      const [ours, sdk] = [container.getBlobClient(name), container.getBlobClient(twin)];
      assert.deepEqual(await ours.downloadToBuffer(), body, name);
      const [mine, theirs] = [await ours.getProperties(), await sdk.getProperties()];
      assert.equal(mine.contentType, 'application/json');
      assert.deepEqual(mine.metadata, theirs.metadata, name);
      assert.deepEqual(mine.contentMD5, theirs.contentMD5, name);
    }
    // The service normalizes some names (dot segments, backslashes): ours land where the SDK's do.
    const ours: string[] = [];
    const sdk: string[] = [];
    for await (const blob of container.listBlobsFlat())
      if (blob.name.startsWith('sdk/')) sdk.push(blob.name.slice('sdk/'.length));
      else ours.push(blob.name);
    assert.deepEqual(ours.sort(), sdk.sort());
    assert.equal(ours.length, new Set(ODD_NAMES).size);
    // A wrong key is refused by the service (the signature is checked, not just present).
    const wrongKey = BlobServiceClient.fromConnectionString(
      azurite.connectionString.replace(
        /AccountKey=[^;]+/,
        `AccountKey=${Buffer.alloc(64, 1).toString('base64')}`,
      ),
    ).getContainerClient('raw');
    assert.equal(
      (await new BlobPutter(wrongKey).put('x.json', Buffer.from('{}'), {}, 'application/json', 5000)).status,
      403,
    );
  });

  void it('authorizes with a bearer token from a TokenCredential, fetched once while it is valid', async () => {
    const { server, url, requests } = await recorder([201]);
    try {
      const scopes: string[] = [];
      let issued = 0;
      const credential: TokenCredential = {
        getToken: (scope) => {
          scopes.push(String(scope));
          issued += 1;
          const token: AccessToken = { token: `token-${issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
          return Promise.resolve(token);
        },
      };
      const putter = new BlobPutter(
        new BlobServiceClient(url.replace(/\/raw$/, ''), credential).getContainerClient('raw'),
      );
      await putter.put('a.json', Buffer.from('{}'), {}, 'application/json', 5000);
      await putter.put('b.json', Buffer.from('{}'), {}, 'application/json', 5000);
      assert.deepEqual(
        requests.map((request) => request.headers.authorization),
        ['Bearer token-1', 'Bearer token-1'],
      );
      assert.deepEqual(scopes, ['https://storage.azure.com/.default']);
    } finally {
      server.close();
    }
  });

  void it('retries network errors and 500/503 at once, gives up at the deadline, and passes 4xx through', async () => {
    const flaky = await recorder(['reset', 503, 201]);
    const failing = await recorder([500]);
    const silent = await recorder(['hang']);
    try {
      const at = (url: string) =>
        new BlobPutter(
          BlobServiceClient.fromConnectionString(
            azurite.connectionString.replace(azurite.blobEndpoint, url.replace(/\/raw$/, '')),
          ).getContainerClient('raw'),
        );
      const started = Date.now();
      // reset → retried at once; 503 → retried after 4 s; then 201.
      assert.equal(
        (await at(flaky.url).put('r.json', Buffer.from('{}'), {}, 'application/json', 8000)).status,
        201,
      );
      assert.equal(flaky.requests.length, 3);
      assert.ok(Date.now() - started >= 3900);
      // 500 until the deadline: the last answer is returned (the raw store maps it to 503).
      assert.equal(
        (await at(failing.url).put('f.json', Buffer.from('{}'), {}, 'application/json', 1000)).status,
        500,
      );
      assert.equal(failing.requests.length, 2);
      // No answer at all: a TimeoutError at the deadline.
      await assert.rejects(at(silent.url).put('s.json', Buffer.from('{}'), {}, 'application/json', 300), {
        name: 'TimeoutError',
      });
      assert.equal(
        (await at(flaky.url).put('c.json', Buffer.from('{}'), {}, 'application/json', 1000)).status,
        201,
      );
    } finally {
      for (const { server } of [flaky, failing, silent]) {
        server.closeAllConnections();
        server.close();
      }
    }
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { assertPortFree } from '../../local/stack.js';

describe('local stack ports', () => {
  it('names a port that is already taken, and how to choose another', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      await assert.rejects(assertPortFree(port), (error: Error) => {
        assert.match(error.message, new RegExp(`port ${port} is already in use`));
        assert.match(error.message, /--http-port/);
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await assertPortFree(port);
  });
});

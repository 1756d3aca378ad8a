/** Helpers for end-to-end tests on the whole local stack. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signGenericBody } from '../../shared/domain/ingest/signatures.js';
import { settings } from '../../shared/topology.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

export interface StackUnderTest {
  stack: LocalStack;
  dataDir: string;
  /** Restarts every service on the same data directory. */
  restart(mode: 'stop' | 'kill'): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startStackUnderTest(
  settingsOverride: Record<string, string> = {},
): Promise<StackUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-stack-'));
  const start = () =>
    startLocalStack({
      dataDir,
      httpPort: 0,
      settingsOverride,
      ...(process.env.E2E_VERBOSE ? { onHostOutput: (line: string) => console.log(`[host] ${line}`) } : {}),
    });
  const handle: StackUnderTest = {
    stack: await start(),
    dataDir,
    async restart(mode) {
      if (mode === 'kill') await handle.stack.kill();
      else await handle.stack.stop();
      handle.stack = await start();
    },
    async cleanup() {
      await handle.stack.stop().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export interface GenericItem {
  id: string;
  channel: string;
  text: string;
  createdAt: string;
  sku?: string;
  rating?: number;
  title?: string;
  locale?: string;
  customerId?: string;
}

/** Posts generic items, signed as a sender would sign them. */
export async function postGeneric(
  stack: LocalStack,
  items: GenericItem | GenericItem[],
): Promise<{
  status: number;
  body: { feedbackIds?: string[]; accepted?: number; duplicates?: number; error?: string };
}> {
  const body = JSON.stringify(items);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const secret = (stack.settings[settings.genericSecrets] ?? '').split(',')[0] ?? '';
  const response = await fetch(`${stack.baseUrl}/api/webhooks/generic`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-feedback-timestamp': timestamp,
      'x-feedback-signature': signGenericBody(secret, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as { feedbackIds?: string[] } };
}

export async function getJson<T>(stack: LocalStack, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    headers: { 'x-functions-key': stack.functionKey },
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

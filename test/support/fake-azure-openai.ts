/**
 * A local HTTP server that speaks the Azure OpenAI chat-completions wire format, for tests:
 * `POST /openai/deployments/{deployment}/chat/completions?api-version=...` with an `api-key`
 * header and a strict `json_schema` response format. Answers are scripted per request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** Full JSON body to send instead of a chat completion (errors). */
  body?: unknown;
  /** The assistant message content of a 200 completion. */
  content?: string | null;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Wait before answering (timeouts). */
  delayMs?: number;
}

export interface RecordedRequest {
  path: string;
  apiVersion: string | null;
  apiKey: string | undefined;
  body: {
    messages: { role: string; content: string }[];
    response_format?: { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } };
    [key: string]: unknown;
  };
}

export interface FakeAzureOpenAi {
  /** The endpoint to configure (`AZURE_OPENAI_ENDPOINT`). */
  endpoint: string;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; when none is left, `fallback` answers. */
  enqueue(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const MIN_STRICT_API_VERSION = '2024-08-01-preview';

/** Why a json_schema is not valid for strict mode, or undefined when it is. */
export function strictSchemaProblem(schema: unknown, path = '$'): string | undefined {
  if (Array.isArray(schema)) {
    for (const [index, item] of schema.entries()) {
      const problem = strictSchemaProblem(item, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (schema === null || typeof schema !== 'object') return undefined;
  const node = schema as Record<string, unknown>;
  for (const keyword of [
    'minimum',
    'maximum',
    'minLength',
    'maxLength',
    'pattern',
    'format',
    'minItems',
    'maxItems',
  ]) {
    if (keyword in node) return `${path} uses '${keyword}', not supported in strict mode`;
  }
  const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  if (isObject) {
    if (node.additionalProperties !== false) return `${path} must set additionalProperties: false`;
    const properties = Object.keys((node.properties as Record<string, unknown> | undefined) ?? {});
    const required = new Set((node.required as string[] | undefined) ?? []);
    const missing = properties.filter((name) => !required.has(name));
    if (missing.length > 0) return `${path} must require every property (missing ${missing.join(', ')})`;
  }
  for (const [key, value] of Object.entries(node)) {
    const problem = strictSchemaProblem(value, `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function error(response: ServerResponse, status: number, code: string, message: string): void {
  send(response, status, { error: { code, message } });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeAzureOpenAi(options: {
  apiKey: string;
  deployment: string;
  fallback?: ScriptedAnswer;
}): Promise<FakeAzureOpenAi> {
  const queue: ScriptedAnswer[] = [];
  const requests: RecordedRequest[] = [];
  const expectedPath = `/openai/deployments/${options.deployment}/chat/completions`;
  const server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const raw = await readBody(request);
      if (request.method !== 'POST' || url.pathname !== expectedPath)
        return error(response, 404, 'DeploymentNotFound', `no route ${request.method} ${url.pathname}`);
      const apiVersion = url.searchParams.get('api-version');
      if (!apiVersion || apiVersion < MIN_STRICT_API_VERSION)
        return error(
          response,
          400,
          'BadRequest',
          `api-version ${apiVersion} does not support strict json_schema`,
        );
      const apiKey = request.headers['api-key'];
      if (apiKey !== options.apiKey)
        return error(
          response,
          401,
          '401',
          'Access denied due to invalid subscription key or wrong API endpoint.',
        );
      let body: RecordedRequest['body'];
      try {
        body = JSON.parse(raw) as RecordedRequest['body'];
      } catch {
        return error(response, 400, 'BadRequest', 'body is not JSON');
      }
      requests.push({
        path: url.pathname,
        apiVersion,
        apiKey: typeof apiKey === 'string' ? apiKey : undefined,
        body,
      });
      const format = body.response_format;
      if (format?.type !== 'json_schema' || format.json_schema?.strict !== true || !format.json_schema.name) {
        return error(response, 400, 'BadRequest', 'response_format must be a strict json_schema');
      }
      const problem = strictSchemaProblem(format.json_schema.schema);
      if (problem)
        return error(response, 400, 'BadRequest', `Invalid schema for response_format: ${problem}`);
      const answer = queue.shift() ??
        options.fallback ?? {
          status: 500,
          body: { error: { code: 'InternalServerError', message: 'no scripted answer' } },
        };
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (response.destroyed) return;
      if (answer.body !== undefined || (answer.status ?? 200) !== 200) {
        return send(
          response,
          answer.status ?? 500,
          answer.body ?? { error: { code: 'error', message: 'scripted error' } },
          answer.headers,
        );
      }
      const usage = answer.usage ?? { prompt_tokens: 420, completion_tokens: 60 };
      send(
        response,
        200,
        {
          id: `chatcmpl-fake-${requests.length}`,
          object: 'chat.completion',
          created: 1_764_000_000,
          model: 'gpt-4o-mini',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: answer.content ?? null, refusal: null },
              finish_reason: answer.finishReason ?? 'stop',
            },
          ],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        },
        answer.headers,
      );
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...answers) => queue.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

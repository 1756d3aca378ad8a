/**
 * Chat completions on Azure OpenAI (or any OpenAI-compatible server) for the classify stage's
 * escalation path. The SDK's own retries are off (`maxRetries: 0`): it would sleep for whatever
 * `retry-after` says and ignore our timeout, so this adapter retries 429/5xx/timeouts itself,
 * honours `Retry-After` up to a cap (a longer wait gives up: the item keeps its local result),
 * and bounds every attempt with an AbortSignal timeout.
 */
import { AzureOpenAI, OpenAI, APIError, APIConnectionError, APIUserAbortError } from 'openai';
import { DefaultAzureCredential, ManagedIdentityCredential, getBearerTokenProvider } from '@azure/identity';
import {
  LlmCallError,
  type ChatCompletionPort,
  type ChatRequest,
  type ChatResponse,
} from '../domain/classify/llm.js';

export const DEFAULT_AZURE_OPENAI_API_VERSION = '2024-10-21';
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

export interface AzureOpenAiChatOptions {
  /** `azure` (default): `{endpoint}/openai/deployments/{deployment}/...?api-version=`; `openai-compatible`: `{baseURL}/chat/completions` with `model = deployment`. */
  flavor?: 'azure' | 'openai-compatible';
  endpoint?: string;
  baseURL?: string;
  deployment: string;
  /** Strict json_schema needs 2024-08-01-preview or later. */
  apiVersion?: string;
  /** Local development only; Azure uses the token provider. */
  apiKey?: string;
  azureADTokenProvider?: () => Promise<string>;
  timeoutMs?: number;
  maxAttempts?: number;
  maxRetryAfterMs?: number;
  baseBackoffMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** Managed identity in Azure (user-assigned when a client id is given), the developer's login otherwise. */
export function azureOpenAiTokenProvider(managedIdentityClientId?: string): () => Promise<string> {
  const credential = managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: managedIdentityClientId })
    : new DefaultAzureCredential();
  return getBearerTokenProvider(credential, COGNITIVE_SERVICES_SCOPE);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The fields of an SDK APIError this adapter reads, typed. */
interface HttpFailure {
  status: number;
  code: unknown;
  body: { code?: unknown; innererror?: { code?: unknown } } | undefined;
  headers: Headers | undefined;
  message: string;
}

function httpFailureOf(error: unknown): HttpFailure | undefined {
  if (!(error instanceof APIError)) return undefined;
  const typed = error as APIError<
    number | undefined,
    Headers | undefined,
    Record<string, unknown> | undefined
  >;
  return {
    status: typed.status ?? 0,
    code: typed.code,
    body: typed.error as HttpFailure['body'],
    headers: typed.headers,
    message: typed.message,
  };
}

function retryAfterMs(failure: HttpFailure): number | undefined {
  const headers = failure.headers;
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && !Number.isNaN(Number(ms))) return Number(ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isContentFilter(failure: HttpFailure): boolean {
  return (
    failure.code === 'content_filter' ||
    failure.body?.code === 'content_filter' ||
    failure.body?.innererror?.code === 'ResponsibleAIPolicyViolation'
  );
}

export function makeAzureOpenAiChat(options: AzureOpenAiChatOptions): ChatCompletionPort {
  const apiVersion = options.apiVersion ?? DEFAULT_AZURE_OPENAI_API_VERSION;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  const baseBackoffMs = options.baseBackoffMs ?? 500;
  const sleep = options.sleep ?? defaultSleep;
  const client =
    options.flavor === 'openai-compatible'
      ? new OpenAI({
          baseURL: options.baseURL,
          apiKey: options.apiKey ?? 'unused',
          maxRetries: 0,
          timeout: timeoutMs,
        })
      : new AzureOpenAI({
          endpoint: options.endpoint,
          baseURL: options.baseURL,
          deployment: options.deployment,
          apiVersion,
          ...(options.azureADTokenProvider
            ? { azureADTokenProvider: options.azureADTokenProvider }
            : { apiKey: options.apiKey }),
          maxRetries: 0,
          timeout: timeoutMs,
        });

  async function attempt(request: ChatRequest): Promise<ChatResponse> {
    const response = await client.chat.completions.create(
      {
        model: options.deployment,
        messages: request.messages,
        temperature: 0,
        max_tokens: request.maxTokens,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: request.schemaName,
            strict: true,
            schema: request.schema as Record<string, unknown>,
          },
        },
      },
      { signal: AbortSignal.timeout(timeoutMs), timeout: timeoutMs, maxRetries: 0 },
    );
    const choice = response.choices[0];
    return {
      content: choice?.message.content ?? null,
      refusal: choice?.message.refusal ?? null,
      finishReason: choice?.finish_reason ?? 'unknown',
      usage: {
        promptTokens: response.usage?.prompt_tokens ?? 0,
        completionTokens: response.usage?.completion_tokens ?? 0,
        totalTokens: response.usage?.total_tokens ?? 0,
      },
    };
  }

  async function complete(request: ChatRequest): Promise<ChatResponse> {
    for (let attemptNumber = 1; ; attemptNumber++) {
      try {
        return await attempt(request);
      } catch (error) {
        const failure = toCallError(error);
        if (failure.kind === 'content_filter' || failure.kind === 'client') throw failure;
        if (attemptNumber >= maxAttempts) throw failure;
        const http = httpFailureOf(error);
        const requested = http ? retryAfterMs(http) : undefined;
        if (requested !== undefined && requested > maxRetryAfterMs) {
          throw new LlmCallError(
            failure.kind,
            `server asked to wait ${requested} ms, more than the ${maxRetryAfterMs} ms cap`,
            failure.status,
          );
        }
        await sleep(requested ?? baseBackoffMs * 2 ** (attemptNumber - 1));
      }
    }
  }

  return { deployment: options.deployment, complete };
}

function toCallError(error: unknown): LlmCallError {
  if (error instanceof LlmCallError) return error;
  // Our AbortSignal timeout surfaces as a user abort; the SDK's own as a connection timeout.
  if (error instanceof APIUserAbortError) return new LlmCallError('timeout', 'request timed out');
  if (error instanceof APIConnectionError) {
    return /timed out|timeout/i.test(error.message)
      ? new LlmCallError('timeout', 'request timed out')
      : new LlmCallError('network', error.message);
  }
  const http = httpFailureOf(error);
  if (http) {
    const status = http.status;
    if (status === 400 && isContentFilter(http)) {
      return new LlmCallError('content_filter', 'prompt rejected by the content filter', status);
    }
    if (status === 429) return new LlmCallError('rate_limited', 'rate limited', status);
    if (status === 408 || status >= 500) return new LlmCallError('server', `server error ${status}`, status);
    return new LlmCallError('client', `request rejected with ${status}: ${http.message}`, status);
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return new LlmCallError('timeout', 'request timed out');
  return new LlmCallError('network', error instanceof Error ? error.message : String(error));
}

/**
 * HTTP triggers as the Functions host serves them: `http://<host>:<port>/<routePrefix>/<route>`,
 * route templates with `{param}`, `{param?}` and `{*rest}`, method filters, and function keys for
 * `authLevel: 'function'` (header `x-functions-key` or query `code`). Extra local-only routes
 * (the Teams and ticket receivers) are mounted under `/_local/`.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { ProgrammingModel, Registration } from './registrations.js';
import { invokeFunction, type HostLog } from './invoke.js';

export interface LocalRoute {
  (request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<boolean>;
}

interface CompiledRoute {
  registration: Registration;
  methods: string[];
  authLevel: string;
  pattern: RegExp;
  paramNames: string[];
}

/** `incidents/{key}/actions/{action}` → a RegExp with named groups; `{x?}` optional, `{*x}` catch-all. */
export function compileRoute(template: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const segments = template.replace(/^\/+|\/+$/g, '').split('/');
  let source = '';
  for (const segment of segments) {
    const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\?)?\}$/.exec(segment);
    if (param) {
      const [, catchAll, name, optional] = param;
      paramNames.push(name ?? '');
      if (catchAll) source += `(?:/(?<${name}>.*))?`;
      else if (optional) source += `(?:/(?<${name}>[^/]+))?`;
      else source += `/(?<${name}>[^/]+)`;
    } else {
      source += '/' + segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return { pattern: new RegExp(`^${source}/?$`, 'i'), paramNames };
}

function keyMatches(given: string | undefined, keys: string[]): boolean {
  if (!given) return false;
  const givenBuffer = Buffer.from(given);
  return keys.some((key) => {
    const keyBuffer = Buffer.from(key);
    return keyBuffer.length === givenBuffer.length && timingSafeEqual(keyBuffer, givenBuffer);
  });
}

export interface HttpHostOptions {
  model: ProgrammingModel;
  registrations: Registration[];
  routePrefix: string;
  port: number;
  /** Valid function keys (for authLevel function and admin). */
  functionKeys: string[];
  localRoutes: LocalRoute[];
  log: HostLog;
  /** Larger request bodies get 413 (default: the host's 100 MB). */
  maxBodyBytes?: number;
}

export interface RunningHttpHost {
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

/** The Functions host's default request body limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT): 100 MB. */
export const DEFAULT_MAX_BODY_BYTES = 104_857_600;

/** The body, or undefined when it is larger than `maxBytes` (the rest is discarded unread). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

export async function startHttpHost(options: HttpHostOptions): Promise<RunningHttpHost> {
  const prefix = '/' + options.routePrefix.replace(/^\/+|\/+$/g, '');
  const routes: CompiledRoute[] = options.registrations
    .filter((registration) => registration.trigger.type.toLowerCase() === 'httptrigger')
    .map((registration) => {
      const template = (registration.trigger.route as string | undefined) ?? registration.metadata.name;
      const { pattern, paramNames } = compileRoute(template);
      const methods = ((registration.trigger.methods as string[] | undefined) ?? ['GET', 'POST']).map(
        (method) => method.toUpperCase(),
      );
      return {
        registration,
        methods,
        authLevel: (registration.trigger.authLevel as string | undefined) ?? 'function',
        pattern,
        paramNames,
      };
    });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const body = await readBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (body === undefined) {
      sendJson(response, 413, { error: 'request body too large' });
      return;
    }
    for (const localRoute of options.localRoutes) {
      if (await localRoute(request, body, response)) return;
    }
    if (!url.pathname.toLowerCase().startsWith(prefix.toLowerCase() + '/') && url.pathname !== prefix) {
      sendJson(response, 404, { error: 'not found' });
      return;
    }
    const path = url.pathname.slice(prefix.length) || '/';
    const method = (request.method ?? 'GET').toUpperCase();
    let methodNotAllowed = false;
    for (const route of routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (!route.methods.includes(method)) {
        methodNotAllowed = true;
        continue;
      }
      if (route.authLevel !== 'anonymous') {
        const given =
          (request.headers['x-functions-key'] as string | undefined) ??
          url.searchParams.get('code') ??
          undefined;
        if (!keyMatches(given, options.functionKeys)) {
          response.writeHead(401).end();
          return;
        }
      }
      const params: Record<string, string> = {};
      for (const name of route.paramNames) {
        const value = match.groups?.[name];
        if (value !== undefined) params[name] = decodeURIComponent(value);
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) query[name] = value;
      const result = await invokeFunction(
        options.model,
        route.registration,
        {
          inputData: {
            http: {
              method,
              url: url.toString(),
              headers,
              query,
              params,
              body: { bytes: new Uint8Array(body) },
            },
          },
        },
        options.log,
      );
      writeHttpResult(response, result.returnValue);
      return;
    }
    sendJson(response, methodNotAllowed ? 405 : 404, {
      error: methodNotAllowed ? 'method not allowed' : 'not found',
    });
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // An unhandled exception in a function is a 500, as on the real host; the host stays up.
      options.log(
        'error',
        'http',
        `request failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `HTTP port ${options.port} is already in use: stop what uses it or pass --http-port <port>`,
            )
          : error,
      );
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface RpcHttpResponse {
  statusCode?: string;
  headers?: Record<string, string>;
  body?: { bytes?: Uint8Array; string?: string };
  cookies?: { name: string; value: string }[];
}

function writeHttpResult(response: ServerResponse, returnValue: unknown): void {
  const httpResult = (returnValue as { http?: RpcHttpResponse } | undefined)?.http;
  if (!httpResult) {
    response.writeHead(204).end();
    return;
  }
  const status = Number(httpResult.statusCode ?? '200');
  const headers: Record<string, string | string[]> = { ...(httpResult.headers ?? {}) };
  if (httpResult.cookies && httpResult.cookies.length > 0) {
    headers['set-cookie'] = httpResult.cookies.map((cookie) => `${cookie.name}=${cookie.value}`);
  }
  response.writeHead(status, headers);
  const body = httpResult.body?.bytes
    ? Buffer.from(httpResult.body.bytes)
    : httpResult.body?.string !== undefined
      ? Buffer.from(httpResult.body.string)
      : undefined;
  response.end(body);
}

/**
 * Captures function registrations the way the Functions worker does: `@azure/functions` looks for
 * the worker-provided module `@azure/functions-core` and, when it finds it, hands it every
 * `app.http` / `app.storageBlob` / `app.eventHub` / `app.timer` call as function metadata plus a
 * callback. We provide that module, then import the compiled function files (the `main` glob of
 * package.json): the very registrations Azure runs, with no second wiring list.
 */
import Module from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface RpcDuration {
  seconds?: number | string;
  nanos?: number;
}

export interface BindingMetadata {
  type: string;
  direction: 'in' | 'out';
  name: string;
  [property: string]: unknown;
}

export interface RetryMetadata {
  retryStrategy: 'exponentialBackoff' | 'fixedDelay';
  maxRetryCount: number;
  delayInterval?: RpcDuration;
  minimumInterval?: RpcDuration;
  maximumInterval?: RpcDuration;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: RetryMetadata;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

/** The programming model object `@azure/functions` hands the worker (see its ProgrammingModel). */
export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: unknown): InvocationModel;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: unknown; outputData?: unknown[] }>;
}

export interface Registration {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
  trigger: BindingMetadata;
}

export interface LoadedApp {
  registrations: Registration[];
  programmingModel: ProgrammingModel;
}

type LogFunction = (level: string, category: string, message: string) => void;

let installed: { registrations: Registration[]; model?: ProgrammingModel; log: LogFunction } | undefined;

/** Installs the worker-side module. Once per process, before any function file is imported. */
function installCoreApi(log: LogFunction): { registrations: Registration[]; model?: ProgrammingModel } {
  if (installed) return installed;
  const state: { registrations: Registration[]; model?: ProgrammingModel; log: LogFunction } = {
    registrations: [],
    log,
  };
  const coreApi = {
    version: '3.10.1',
    setProgrammingModel(model: ProgrammingModel): void {
      state.model = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return state.model;
    },
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): { dispose(): void } {
      const trigger = Object.values(metadata.bindings).find((binding) => /trigger$/i.test(binding.type));
      if (!trigger) throw new Error(`function ${metadata.name} has no trigger binding`);
      if (state.registrations.some((registration) => registration.metadata.name === metadata.name)) {
        throw new Error(`a function named ${metadata.name} is registered twice`);
      }
      state.registrations.push({ metadata, callback, trigger });
      return { dispose: () => undefined };
    },
    registerHook(): { dispose(): void } {
      return { dispose: () => undefined };
    },
    log(level: string, category: string, message: string): void {
      state.log(level, category, message);
    },
  };
  type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;
  const moduleWithLoad = Module as unknown as { _load: ModuleLoad };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean) {
    if (request === '@azure/functions-core') return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
  installed = state;
  return state;
}

/** The files the `main` glob of package.json names (only `dir/*.js` globs are supported). */
export function functionFiles(appDir: string): string[] {
  const packageJson = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { main?: string };
  const main = packageJson.main ?? '';
  const match = /^(.*)\/\*\.js$/.exec(main);
  if (!match?.[1]) throw new Error(`package.json main must be a 'dir/*.js' glob, found '${main}'`);
  const dir = resolve(appDir, match[1]);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => join(dir, file));
}

/** Imports the compiled function files and returns what they registered. */
export async function loadApp(files: string[], log: LogFunction): Promise<LoadedApp> {
  const state = installCoreApi(log);
  for (const file of files) {
    await import(pathToFileURL(file).href);
  }
  if (!state.model) {
    throw new Error(
      `no function registered from ${files.length} file(s) in ${files[0] ? dirname(files[0]) : '?'}`,
    );
  }
  return { registrations: [...state.registrations], programmingModel: state.model };
}

/** A binding property that must be a string (names, paths, schedules); `fallback` when absent. */
export function stringProperty(binding: BindingMetadata, name: string, fallback = ''): string {
  const value = binding[name];
  return typeof value === 'string' ? value : fallback;
}

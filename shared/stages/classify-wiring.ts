/**
 * The classifier, built once per process: rules and the committed model always; Azure OpenAI
 * (or any OpenAI-compatible server) for ambiguous items only when an endpoint is configured.
 */
import { azureOpenAiTokenProvider, makeAzureOpenAiChat } from '../adapters/azure-openai.js';
import { CosmosLlmCache } from '../adapters/cosmos-llm-cache.js';
import { metricNames } from '../domain/telemetry-names.js';
import { loadLocalClassifierFiles } from '../domain/classify/load.js';
import { loadFewShot, loadPrompt, makeLlmClassifier, type LlmClassifier } from '../domain/classify/llm.js';
import type { Runtime } from '../runtime.js';
import { buildClassifier, type FeedbackClassifier } from './classify.js';

export const PROMPT_PATH = 'prompts/classify-v1.md';
export const FEW_SHOT_PATH = 'config/classify/few-shot.json';

function llmOf(
  runtime: Runtime,
  files: ReturnType<typeof loadLocalClassifierFiles>,
): LlmClassifier | undefined {
  const { config } = runtime;
  if (!config.openAi) return undefined;
  const openAi = config.openAi;
  const chat = makeAzureOpenAiChat({
    flavor: openAi.flavor,
    ...(openAi.flavor === 'azure' ? { endpoint: openAi.endpoint } : { baseURL: openAi.endpoint }),
    deployment: openAi.deployment,
    apiVersion: openAi.apiVersion,
    ...(openAi.apiKey
      ? { apiKey: openAi.apiKey }
      : { azureADTokenProvider: azureOpenAiTokenProvider(config.managedIdentityClientId) }),
    timeoutMs: 15000,
  });
  return makeLlmClassifier({
    chat,
    taxonomy: files.taxonomy,
    prompt: loadPrompt(PROMPT_PATH),
    fewShot: loadFewShot(FEW_SHOT_PATH),
    cache: new CosmosLlmCache(runtime.containers.llmCache),
    hourlyTokenBudget: config.classify.llmHourlyTokenBudget,
    concurrency: config.classify.llmConcurrency,
    clock: runtime.clock,
    onUsage: (usage, details) =>
      runtime.telemetry.metric(metricNames.llmTokens, usage.totalTokens, {
        cached: String(details.cached),
        promptVersion: details.promptVersion,
        deployment: details.deployment,
      }),
  });
}

export function classifierOf(runtime: Runtime): FeedbackClassifier {
  const files = loadLocalClassifierFiles();
  const llm = llmOf(runtime, files);
  return buildClassifier({
    ...files,
    ...(llm ? { llm } : {}),
    escalationThreshold: runtime.config.classify.confidenceThreshold,
  });
}

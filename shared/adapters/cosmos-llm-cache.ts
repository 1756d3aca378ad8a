/**
 * The LLM answer cache on Cosmos DB (container `llmCache`, partition key /hash, id = hash).
 * The hash covers the text, the prompt version and the deployment, so a prompt or model change
 * never reads an old answer. Entries carry `ttl` for containers with TTL enabled.
 */
import type { Container } from '@azure/cosmos';
import type { CachedAnswer, LlmCache } from '../domain/classify/llm.js';

const DEFAULT_TTL_SECONDS = 30 * 86_400;

export class CosmosLlmCache implements LlmCache {
  constructor(
    private readonly container: Container,
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
  ) {}

  async get(hash: string): Promise<CachedAnswer | undefined> {
    const response = await this.container.item(hash, hash).read<CachedAnswer & { id: string }>();
    if (response.statusCode === 404 || !response.resource) return undefined;
    const { hash: stored, labels, promptVersion, deployment, usage, createdAt } = response.resource;
    return { hash: stored, labels, promptVersion, deployment, usage, createdAt };
  }

  async put(entry: CachedAnswer): Promise<void> {
    await this.container.items.upsert({ id: entry.hash, ...entry, ttl: this.ttlSeconds });
  }
}

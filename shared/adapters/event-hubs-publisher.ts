/**
 * Publishes stage output with the SDK producer (not the output binding: that one has no
 * partition key and writes nothing when the function throws). Events are batched per partition
 * key so one product's events land on one partition, in order.
 */
import { EventHubProducerClient, type EventDataBatch } from '@azure/event-hubs';
import type { TokenCredential } from '@azure/identity';
import type { Config } from '../config.js';
import type { EventPublisher, OutgoingEvent } from '../stages/ports.js';

export class EventHubsPublisher implements EventPublisher {
  private readonly producers = new Map<string, EventHubProducerClient>();

  constructor(
    private readonly config: Config,
    private readonly credential?: TokenCredential,
  ) {}

  private producer(hubName: string): EventHubProducerClient {
    let producer = this.producers.get(hubName);
    if (!producer) {
      const { connectionString, fullyQualifiedNamespace } = this.config.eventHubs;
      if (connectionString) {
        producer = new EventHubProducerClient(connectionString, hubName);
      } else if (fullyQualifiedNamespace && this.credential) {
        producer = new EventHubProducerClient(fullyQualifiedNamespace, hubName, this.credential);
      } else {
        throw new Error('Event Hubs needs a connection string (local) or a namespace and credential (azure)');
      }
      this.producers.set(hubName, producer);
    }
    return producer;
  }

  async publish(hubName: string, events: OutgoingEvent[]): Promise<void> {
    const producer = this.producer(hubName);
    const byKey = new Map<string, OutgoingEvent[]>();
    for (const event of events) {
      const list = byKey.get(event.partitionKey) ?? [];
      list.push(event);
      byKey.set(event.partitionKey, list);
    }
    for (const [partitionKey, keyed] of byKey) {
      let batch: EventDataBatch = await producer.createBatch({ partitionKey });
      for (const event of keyed) {
        const data = { body: event.body, contentType: 'application/json', properties: event.properties };
        if (!batch.tryAdd(data)) {
          if (batch.count === 0)
            throw new Error(`an event for ${partitionKey} is larger than the hub's message limit`);
          await producer.sendBatch(batch);
          batch = await producer.createBatch({ partitionKey });
          if (!batch.tryAdd(data))
            throw new Error(`an event for ${partitionKey} is larger than the hub's message limit`);
        }
      }
      if (batch.count > 0) await producer.sendBatch(batch);
    }
  }

  /** Reads the hub's runtime properties: a real round trip, used by the health check. */
  async hubProperties(hubName: string): Promise<{ name: string; partitionIds: string[] }> {
    const properties = await this.producer(hubName).getEventHubProperties();
    return { name: properties.name, partitionIds: properties.partitionIds };
  }

  async close(): Promise<void> {
    await Promise.all([...this.producers.values()].map((producer) => producer.close()));
    this.producers.clear();
  }
}

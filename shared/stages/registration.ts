/**
 * Trigger options derived from the topology, so every function registration reads its names
 * from one place.
 */
import type { EventHubFunctionOptions } from '@azure/functions';
import { eventHubRetry, settings, stages } from '../topology.js';

type EventHubStage = 'classify' | 'score' | 'route';

/**
 * The Event Hubs trigger of a stage: its hub and consumer group, batches (`cardinality: many`),
 * the stage retry policy, and `dataType: 'string'`, so one body that is not JSON reaches the
 * stage (which quarantines it) instead of failing the whole batch in the host.
 */
export function eventHubTriggerOf(stage: EventHubStage): Omit<EventHubFunctionOptions, 'handler'> {
  const definition = stages[stage];
  const options = {
    eventHubName: definition.hub,
    consumerGroup: definition.consumerGroup,
    connection: settings.eventHubs,
    cardinality: 'many' as const,
    dataType: 'string',
    retry: eventHubRetry,
  };
  return options;
}

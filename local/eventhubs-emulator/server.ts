/**
 * The AMQP 1.0 side of the emulator: claims-based security ($cbs), the management node, sender
 * links that publish into partition logs and receiver links that stream from them.
 */
import type { Server, Socket } from 'node:net';
import rhea from 'rhea';
import type { AmqpError, Connection, Delivery, EventContext, Message, Receiver, Sender } from 'rhea';
import { AmqpFormatError, splitEnvelope } from './amqp-sections.js';
import { partitionForKey } from './partition-key.js';
import { ReadAhead, type PartitionLog, type StoredRecord } from './partition-log.js';
import { parseStartFilter, type StartPosition } from './selector.js';
import { transferCredit, writeTransfers } from './transfer-frames.js';

export interface HubRuntime {
  name: string;
  createdAt: Date;
  partitions: PartitionLog[];
  consumerGroups: string[];
  nextPartition: number;
}

export interface ServerSettings {
  hubs: Map<string, HubRuntime>;
  maxMessageBytes: number;
  host: string;
}

/** Fields rhea keeps on links that its typings do not expose. */
interface LinkInternals {
  local: {
    attach: { source?: unknown; target?: unknown; max_message_size?: number; snd_settle_mode?: number };
  };
}

const SENDER_CREDIT = 100;
/** Most deliveries written to one consumer in one go, so several consumers take turns. */
const MAX_BURST = 512;
const STOLEN = 'amqp:link:stolen';

function trackingSuffix(): string {
  return ` TrackingId:${rhea.generate_uuid()}, SystemTracker:emulator, Timestamp:${new Date().toISOString()}`;
}

function notFound(host: string, path: string): AmqpError {
  return {
    condition: 'amqp:not-found',
    description: `The messaging entity 'sb://${host}/${path}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.${trackingSuffix()}`,
  };
}

function badPartition(partition: string, count: number): AmqpError {
  return {
    condition: 'com.microsoft:argument-out-of-range',
    description: `The specified partition '${partition}' is invalid for an EventHub partition sender or receiver. It should be between 0 and ${count - 1}.${trackingSuffix()}`,
  };
}

function internals(link: Sender | Receiver): LinkInternals {
  return link as unknown as LinkInternals;
}

function addressOf(terminus: unknown): string {
  if (terminus && typeof terminus === 'object' && 'address' in terminus) {
    const address = (terminus as { address?: unknown }).address;
    if (typeof address === 'string') return address;
  }
  return '';
}

/** One receiving client on a partition (a server-side sender link). */
class PartitionReader {
  private pumping = false;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private readonly readAhead = new ReadAhead();

  constructor(
    readonly link: Sender,
    readonly log: PartitionLog,
    readonly ownerLevel: number | undefined,
    private nextOffset: number,
  ) {
    this.unsubscribe = log.onCommit(() => void this.pump());
  }

  close(error?: AmqpError): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (error && this.link.is_open()) this.link.close(error);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async pump(): Promise<void> {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.closed || !this.link.is_open()) return;
        const { credit, blocked } = transferCredit(this.link);
        if (blocked === 'credit') return; // the peer's next flow raises 'sendable'
        if (blocked === 'session') {
          // Session windows open without a link event: look again soon.
          this.retryLater();
          return;
        }
        const { records, next } = await this.log.read(
          this.nextOffset,
          Math.min(credit, MAX_BURST),
          this.readAhead,
        );
        if (this.closed || !this.link.is_open()) return;
        if (records.length === 0) {
          this.nextOffset = next;
          return;
        }
        const { sent, full } = writeTransfers(
          this.link,
          records.map((r) => r.message),
        );
        this.nextOffset = sent < records.length ? (records[sent] as StoredRecord).offset : next;
        if (sent === 0) {
          this.retryLater();
          return;
        }
        if (full) {
          // Let the socket drain before reading more, so a slow consumer cannot pile up memory.
          await this.drained();
        }
      }
    } catch (error) {
      this.close({ condition: 'amqp:internal-error', description: String(error) });
    } finally {
      this.pumping = false;
    }
  }

  private retryLater(): void {
    setTimeout(() => void this.pump(), 1).unref();
  }

  private drained(): Promise<void> {
    const socket = (this.link.connection as unknown as { socket?: Socket }).socket;
    if (!socket || socket.destroyed || !socket.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }
}

export class EmulatorServer {
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<Connection>();
  private readonly readers = new Map<string, PartitionReader[]>();
  private readonly readerByLink = new Map<Sender, PartitionReader>();
  /** Per connection: reply-to address -> the server-side sender that answers it. */
  private readonly replyLinks = new Map<Connection, Map<string, Sender>>();
  private readonly publishLinks = new Set<Receiver>();
  private readonly owedCredit = new Map<Receiver, number>();
  private creditWithheldUntil = 0;
  private creditTimer: NodeJS.Timeout | undefined;
  private serverBusyUntil = 0;
  private readonly container = rhea.create_container({
    id: 'eventhubs-emulator',
    autoaccept: false,
    credit_window: 0,
  });
  private server: Server | undefined;

  constructor(private readonly settings: ServerSettings) {
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => {
      this.connections.add(ctx.connection);
      ignoreFlowOnEndedSessions(ctx.connection);
    });
    c.on('sender_open', (ctx: EventContext) => this.onSenderOpen(ctx));
    c.on('receiver_open', (ctx: EventContext) => this.onReceiverOpen(ctx));
    c.on('message', (ctx: EventContext) => this.onMessage(ctx));
    c.on('sendable', (ctx: EventContext) => {
      if (ctx.sender) void this.readerByLink.get(ctx.sender)?.pump();
    });
    c.on('sender_close', (ctx: EventContext) => ctx.sender && this.forgetSender(ctx.sender));
    c.on('receiver_close', (ctx: EventContext) => ctx.receiver && this.forgetReceiver(ctx.receiver));
    c.on('disconnected', (ctx: EventContext) => this.forgetConnection(ctx.connection));
    c.on('connection_close', (ctx: EventContext) => this.forgetConnection(ctx.connection));
    // Errors on individual connections must not take the emulator down.
    c.on('error', () => undefined);
    c.on('connection_error', () => undefined);
    c.on('session_error', () => undefined);
    c.on('sender_error', () => undefined);
    c.on('receiver_error', () => undefined);
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = this.container.listen({ port, host: this.settings.host });
      this.server = server;
      server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.setNoDelay(true);
        socket.on('close', () => this.sockets.delete(socket));
      });
      server.once('error', reject);
      server.once('listening', () => {
        const address = server.address();
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('emulator did not bind a TCP port'));
      });
    });
  }

  async close(): Promise<void> {
    if (this.creditTimer) clearTimeout(this.creditTimer);
    for (const list of this.readers.values()) for (const r of list) r.close();
    const server = this.server;
    this.dropAllConnections();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- faults

  dropAllConnections(): void {
    // Tell each client why (as the service does when it moves a namespace), then cut the socket.
    for (const connection of this.connections) {
      try {
        connection.close({
          condition: 'amqp:connection:forced',
          description: 'The connection was dropped by the emulator (fault injection).',
        });
      } catch {
        // already closing
      }
    }
    this.connections.clear();
    const sockets = [...this.sockets];
    this.sockets.clear();
    // rhea only notices 'end' and 'error', so destroy with an error to let it release the connection.
    setImmediate(() => {
      for (const socket of sockets) socket.destroy(new Error('connection dropped by the emulator'));
    });
  }

  withholdCredit(ms: number): void {
    this.creditWithheldUntil = Date.now() + ms;
    if (this.creditTimer) clearTimeout(this.creditTimer);
    this.creditTimer = setTimeout(() => {
      this.creditTimer = undefined;
      for (const [link, owed] of this.owedCredit) {
        if (link.is_open() && owed > 0) link.add_credit(owed);
      }
      this.owedCredit.clear();
    }, ms);
    this.creditTimer.unref();
  }

  serverBusy(ms: number): void {
    this.serverBusyUntil = Date.now() + ms;
  }

  private grantCredit(link: Receiver, credit: number): void {
    if (Date.now() < this.creditWithheldUntil) {
      this.owedCredit.set(link, (this.owedCredit.get(link) ?? 0) + credit);
    } else {
      link.add_credit(credit);
    }
  }

  // ---------------------------------------------------------------- links

  /** Echo the peer's terminus so clients see the attach they asked for. */
  private echoTermini(link: Sender | Receiver): void {
    const local = internals(link).local.attach;
    local.source = link.source ?? null;
    local.target = link.target ?? null;
  }

  private hubAndRest(address: string): { hub: HubRuntime | undefined; hubName: string; rest: string[] } {
    const [hubName = '', ...rest] = address.split('/');
    const hub = [...this.settings.hubs.values()].find((h) => h.name.toLowerCase() === hubName.toLowerCase());
    return { hub, hubName, rest };
  }

  private partitionOf(hub: HubRuntime, id: string): PartitionLog | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    return hub.partitions[Number(id)];
  }

  /** A client receiver attached: the server sends on this link. */
  private onSenderOpen(ctx: EventContext): void {
    const link = ctx.sender;
    if (!link) return;
    this.echoTermini(link);
    const address = addressOf(link.source);
    const replyTo = addressOf(link.target);
    if (address === '$cbs' || address.endsWith('/$management') || address === '$management') {
      let map = this.replyLinks.get(ctx.connection);
      if (!map) {
        map = new Map();
        this.replyLinks.set(ctx.connection, map);
      }
      map.set(replyTo, link);
      map.set(link.name, link);
      return;
    }
    const { hub, rest } = this.hubAndRest(address);
    // <hub>/ConsumerGroups/<group>/Partitions/<id>
    if (
      !hub ||
      rest.length !== 4 ||
      rest[0]?.toLowerCase() !== 'consumergroups' ||
      rest[2]?.toLowerCase() !== 'partitions'
    ) {
      link.close(notFound(this.settings.host, address));
      return;
    }
    const group = hub.consumerGroups.find((g) => g.toLowerCase() === (rest[1] ?? '').toLowerCase());
    if (!group) {
      link.close(notFound(this.settings.host, `${hub.name}/ConsumerGroups/${rest[1] ?? ''}`));
      return;
    }
    const partitionId = rest[3] ?? '';
    const log = this.partitionOf(hub, partitionId);
    if (!log) {
      link.close(badPartition(partitionId, hub.partitions.length));
      return;
    }
    // Deliveries are sent settled: the service does not wait for consumer acknowledgements.
    internals(link).local.attach.snd_settle_mode = 1;
    let start: StartPosition;
    try {
      start = parseStartFilter(link.source);
    } catch (error) {
      link.close({
        condition: 'com.microsoft:argument-error',
        description: String((error as Error).message),
      });
      return;
    }
    const ownerLevel = readOwnerLevel(link.properties);
    const key = `${hub.name}/${group.toLowerCase()}/${partitionId}`;
    const current = (this.readers.get(key) ?? []).filter((r) => !r.isClosed);
    const highest = current.reduce<number | undefined>(
      (max, r) => (r.ownerLevel === undefined ? max : Math.max(max ?? -Infinity, r.ownerLevel)),
      undefined,
    );
    if (highest !== undefined && (ownerLevel === undefined || ownerLevel < highest)) {
      link.close({
        condition: STOLEN,
        description: `Receiver '${link.name}' with ${ownerLevel === undefined ? 'no owner level' : `owner level '${ownerLevel}'`} cannot be created because a receiver with a higher owner level '${highest}' already exists on partition ${partitionId} of consumer group '${group}'.${trackingSuffix()}`,
      });
      return;
    }
    const survivors: PartitionReader[] = [];
    for (const r of current) {
      if (ownerLevel !== undefined) {
        r.close({
          condition: STOLEN,
          description: `New receiver '${link.name}' with higher epoch of '${ownerLevel}' is created hence current receiver '${r.link.name}' with epoch '${r.ownerLevel ?? 'none'}' is getting disconnected. If you are recreating the receiver, make sure a higher epoch is used.${trackingSuffix()}`,
        });
        this.readerByLink.delete(r.link);
      } else {
        survivors.push(r);
      }
    }
    void this.startReader(link, log, start, ownerLevel, key, survivors);
  }

  private async startReader(
    link: Sender,
    log: PartitionLog,
    start: StartPosition,
    ownerLevel: number | undefined,
    key: string,
    others: PartitionReader[],
  ): Promise<void> {
    let offset: number;
    switch (start.kind) {
      case 'earliest':
        offset = log.earliestOffset();
        break;
      case 'latest':
        offset = log.endOffset();
        break;
      case 'offset':
        offset = await log.offsetForOffset(start.value, start.inclusive);
        break;
      case 'sequence': {
        const last = log.lastSequenceNumber();
        const beyond = start.inclusive ? start.value > last + 1 : start.value > last;
        if (beyond) {
          link.close({
            condition: 'com.microsoft:argument-out-of-range',
            description: `The supplied sequence number '${start.value}' is invalid. The last sequence number in the system is '${last}'.${trackingSuffix()}`,
          });
          return;
        }
        offset = await log.offsetForSequence(start.inclusive ? start.value : start.value + 1);
        break;
      }
      case 'time':
        offset = await log.offsetForTime(start.value, start.inclusive);
        break;
    }
    const reader = new PartitionReader(link, log, ownerLevel, offset);
    this.readers.set(key, [...others, reader]);
    this.readerByLink.set(link, reader);
    void reader.pump();
  }

  /** A client sender attached: the server receives on this link. */
  private onReceiverOpen(ctx: EventContext): void {
    const link = ctx.receiver;
    if (!link) return;
    this.echoTermini(link);
    const address = addressOf(link.target);
    if (address === '$cbs' || address.endsWith('/$management') || address === '$management') {
      link.add_credit(SENDER_CREDIT);
      return;
    }
    const { hub, rest } = this.hubAndRest(address);
    const toHub = rest.length === 0;
    const toPartition = rest.length === 2 && rest[0]?.toLowerCase() === 'partitions';
    if (!hub || !(toHub || toPartition)) {
      link.close(notFound(this.settings.host, address));
      return;
    }
    if (toPartition && !this.partitionOf(hub, rest[1] ?? '')) {
      link.close(badPartition(rest[1] ?? '', hub.partitions.length));
      return;
    }
    internals(link).local.attach.max_message_size = this.settings.maxMessageBytes;
    this.publishLinks.add(link);
    this.grantCredit(link, SENDER_CREDIT);
  }

  private forgetSender(link: Sender): void {
    const reader = this.readerByLink.get(link);
    if (reader) {
      reader.close();
      this.readerByLink.delete(link);
    }
  }

  private forgetReceiver(link: Receiver): void {
    this.publishLinks.delete(link);
    this.owedCredit.delete(link);
  }

  private forgetConnection(connection: Connection): void {
    this.connections.delete(connection);
    this.replyLinks.delete(connection);
    for (const [link, reader] of this.readerByLink) {
      if (link.connection === connection) {
        reader.close();
        this.readerByLink.delete(link);
      }
    }
    for (const link of this.publishLinks) {
      if (link.connection === connection) this.forgetReceiver(link);
    }
  }

  // ---------------------------------------------------------------- messages

  private onMessage(ctx: EventContext): void {
    const link = ctx.receiver;
    const delivery = ctx.delivery;
    if (!link || !delivery) return;
    const address = addressOf(link.target);
    if (address === '$cbs') {
      this.answer(ctx, delivery, () => ({ status: 202, description: 'Accepted' }));
      return;
    }
    if (address.endsWith('/$management') || address === '$management') {
      this.answer(ctx, delivery, (request) => this.management(request));
      return;
    }
    void this.publish(ctx, link, delivery);
  }

  /** Request/response nodes: accept the request and reply on the link the client named. */
  private answer(
    ctx: EventContext,
    delivery: Delivery,
    handle: (request: Message) => { status: number; description: string; body?: unknown; condition?: string },
  ): void {
    const request = ctx.message;
    delivery.accept();
    ctx.receiver?.add_credit(1);
    if (!request || typeof request !== 'object' || Buffer.isBuffer(request)) return;
    const replyTo = typeof request.reply_to === 'string' ? request.reply_to : '';
    const replyLink = this.replyLinks.get(ctx.connection)?.get(replyTo);
    if (!replyLink || !replyLink.is_open()) return;
    const result = handle(request);
    const properties: Record<string, unknown> = {
      'status-code': result.status,
      'status-description': result.description,
    };
    if (result.condition) properties['error-condition'] = result.condition;
    const response: Message = {
      correlation_id: request.message_id,
      to: replyTo,
      application_properties: properties,
      body: result.body,
    };
    replyLink.send(response);
  }

  private management(request: Message): {
    status: number;
    description: string;
    body?: unknown;
    condition?: string;
  } {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    const operation = props['operation'];
    const type = props['type'];
    const name = typeof props['name'] === 'string' ? props['name'] : '';
    if (operation !== 'READ') {
      return {
        status: 501,
        description: `Operation '${String(operation)}' is not supported.`,
        condition: 'amqp:not-implemented',
      };
    }
    const hub = this.hubAndRest(name).hub;
    if (!hub || name.includes('/')) {
      const e = notFound(this.settings.host, name);
      return { status: 404, description: e.description ?? '', condition: e.condition };
    }
    if (type === 'com.microsoft:eventhub') {
      return {
        status: 200,
        description: 'OK',
        body: {
          name: hub.name,
          type: 'com.microsoft:eventhub',
          created_at: hub.createdAt,
          partition_count: hub.partitions.length,
          partition_ids: hub.partitions.map((_p, i) => String(i)),
        },
      };
    }
    if (type === 'com.microsoft:partition') {
      const rawPartition = props['partition'];
      const partition =
        typeof rawPartition === 'string' || typeof rawPartition === 'number' ? String(rawPartition) : '';
      const log = this.partitionOf(hub, partition);
      if (!log) {
        const e = badPartition(partition, hub.partitions.length);
        return { status: 400, description: e.description ?? '', condition: e.condition };
      }
      const s = log.snapshot();
      return {
        status: 200,
        description: 'OK',
        body: {
          name: hub.name,
          type: 'com.microsoft:partition',
          partition,
          begin_sequence_number: rhea.types.wrap_long(s.beginSequenceNumber),
          last_enqueued_sequence_number: rhea.types.wrap_long(s.lastSequenceNumber),
          last_enqueued_offset: String(s.lastOffset),
          last_enqueued_time_utc: new Date(s.lastEnqueuedTime),
          is_partition_empty: s.isEmpty,
        },
      };
    }
    return {
      status: 400,
      description: `Unknown management type '${String(type)}'.`,
      condition: 'com.microsoft:argument-error',
    };
  }

  private async publish(ctx: EventContext, link: Receiver, delivery: Delivery): Promise<void> {
    const settle = (error?: AmqpError): void => {
      if (error) delivery.reject(error);
      else delivery.accept();
      if (link.is_open()) this.grantCredit(link, 1);
    };
    try {
      if (Date.now() < this.serverBusyUntil) {
        settle({
          condition: 'com.microsoft:server-busy',
          description: `The request was terminated because the entity is being throttled. Please wait ${Math.ceil((this.serverBusyUntil - Date.now()) / 1000)} seconds and try again.${trackingSuffix()}`,
        });
        return;
      }
      const raw = ctx.message as unknown;
      const format = (ctx as unknown as { format?: number }).format ?? 0;
      const payload = Buffer.isBuffer(raw) ? raw : rhea.message.encode(raw);
      if (payload.length > this.settings.maxMessageBytes) {
        settle({
          condition: 'amqp:link:message-size-exceeded',
          description: `The received message (delivery-id:${String(delivery.id)}, size:${payload.length} bytes) exceeds the limit (${this.settings.maxMessageBytes} bytes) currently allowed on the link.${trackingSuffix()}`,
        });
        return;
      }
      const address = addressOf(link.target);
      const { hub, rest } = this.hubAndRest(address);
      if (!hub) {
        settle(notFound(this.settings.host, address));
        return;
      }
      const envelope = splitEnvelope(payload, format);
      let index: number;
      if (rest.length === 2) {
        index = Number(rest[1]);
      } else if (envelope.partitionKey !== undefined) {
        index = partitionForKey(envelope.partitionKey, hub.partitions.length);
      } else {
        index = hub.nextPartition;
        hub.nextPartition = (hub.nextPartition + 1) % hub.partitions.length;
      }
      const log = hub.partitions[index];
      if (!log) {
        settle(badPartition(String(index), hub.partitions.length));
        return;
      }
      if (envelope.events.length > 0) await log.append(envelope.events, envelope.partitionKey);
      settle();
    } catch (error) {
      if (error instanceof AmqpFormatError) {
        settle({ condition: 'amqp:decode-error', description: error.message });
      } else {
        settle({ condition: 'amqp:internal-error', description: String(error) });
      }
    }
  }
}

/**
 * A client that ends a session while deliveries to it are still in flight answers them with a
 * flow frame on the channel it has just ended. That frame carries nothing left to act on; rhea
 * would treat it as a protocol error and drop the whole connection (every other link with it).
 */
function ignoreFlowOnEndedSessions(connection: Connection): void {
  const internal = connection as unknown as {
    remote_channel_map: Record<number, unknown>;
    on_flow(frame: { channel: number }): void;
  };
  const onFlow = internal.on_flow.bind(connection);
  internal.on_flow = (frame) => {
    if (internal.remote_channel_map[frame.channel]) onFlow(frame);
  };
}

function readOwnerLevel(properties: unknown): number | undefined {
  if (!properties || typeof properties !== 'object') return undefined;
  const value = (properties as Record<string, unknown>)['com.microsoft:epoch'];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object' && 'value' in value) {
    const inner = value.value;
    if (typeof inner === 'number') return inner;
    if (Buffer.isBuffer(inner) && inner.length === 8) return Number(inner.readBigInt64BE(0));
  }
  return undefined;
}

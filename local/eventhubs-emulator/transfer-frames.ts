/**
 * Outgoing event deliveries written straight to the socket, many per write.
 *
 * rhea builds every transfer frame through its generic encoder and writes one socket chunk per
 * frame, which was most of the emulator's cost per delivered event. The stored events are already
 * complete AMQP messages, so a burst of deliveries is a run of 33-byte frame headers and message
 * bytes that can be laid out in one buffer. rhea's own bookkeeping (delivery ids, transfer ids,
 * link credit and delivery count) is advanced exactly as its `Outgoing.process` would, so frames
 * rhea writes afterwards (flow, detach, replies on other links) stay consistent.
 */
import type { Socket } from 'node:net';
import type { Sender } from 'rhea';

/** AMQP frame header (size, doff, type, channel) plus the encoded transfer performative. */
const FRAME_HEADER = 8;
const TRANSFER_BYTES = 25;
const FRAME_OVERHEAD = FRAME_HEADER + TRANSFER_BYTES;
const DESCRIBED = 0x00;
const SMALL_ULONG = 0x53;
const TRANSFER_CODE = 0x14;
const LIST8 = 0xc0;
const UINT = 0x70;
const UINT0 = 0x43;
const VBIN8 = 0xa0;
const TRUE = 0x41;
const FALSE = 0x42;

/** The parts of rhea's connection, session and link state that a transfer advances. */
interface RheaSenderState {
  credit: number;
  delivery_count: number;
  local: { handle: number };
  session: {
    local: { channel: number };
    outgoing: {
      next_delivery_id: number;
      next_pending_delivery: number;
      next_transfer_id: number;
      window: number;
      transfer_window(): number;
    };
  };
  connection: {
    socket?: Socket;
    socket_ready?: boolean;
    max_frame_size?: number;
    output(): void;
  };
}

function stateOf(link: Sender): RheaSenderState {
  return link as unknown as RheaSenderState;
}

function framesFor(messageBytes: number, maxPayload: number): number {
  return Math.max(1, Math.ceil(messageBytes / maxPayload));
}

function writeTransferHeader(
  out: Buffer,
  at: number,
  payloadBytes: number,
  channel: number,
  handle: number,
  deliveryId: number,
  more: boolean,
): number {
  let p = at;
  p = out.writeUInt32BE(FRAME_OVERHEAD + payloadBytes, p);
  out[p++] = 2; // data offset in 4-byte words: the 8-byte header
  out[p++] = 0; // AMQP frame
  p = out.writeUInt16BE(channel, p);
  out[p++] = DESCRIBED;
  out[p++] = SMALL_ULONG;
  out[p++] = TRANSFER_CODE;
  out[p++] = LIST8;
  out[p++] = TRANSFER_BYTES - 5; // list size: the count byte and the six fields
  out[p++] = 6;
  out[p++] = UINT;
  p = out.writeUInt32BE(handle >>> 0, p);
  out[p++] = UINT;
  p = out.writeUInt32BE(deliveryId >>> 0, p);
  out[p++] = VBIN8;
  out[p++] = 4;
  p = out.writeUInt32BE(deliveryId >>> 0, p); // tag: unique while unsettled, and these are pre-settled
  out[p++] = UINT0; // message format 0
  out[p++] = TRUE; // settled: the service does not wait for consumer acknowledgements
  out[p++] = more ? TRUE : FALSE;
  return p;
}

/** Why a link cannot send right now, if it cannot. */
export type TransferBlock = 'none' | 'credit' | 'session';

/**
 * How many more deliveries the link may start now (the peer's link credit), or why none: no
 * credit, or the session cannot take a transfer yet (the peer's session window is shut, or rhea
 * still has its own deliveries queued on the session, whose delivery ids must go first).
 */
export function transferCredit(link: Sender): { credit: number; blocked: TransferBlock } {
  const state = stateOf(link);
  const outgoing = state.session.outgoing;
  const connection = state.connection;
  if (state.credit <= 0) return { credit: 0, blocked: 'credit' };
  const sessionReady =
    connection.socket !== undefined &&
    connection.socket_ready === true &&
    outgoing.next_pending_delivery === outgoing.next_delivery_id &&
    outgoing.transfer_window() > 0;
  return sessionReady ? { credit: state.credit, blocked: 'none' } : { credit: 0, blocked: 'session' };
}

/**
 * Writes pre-settled deliveries of complete encoded messages, in order, in one socket write, as
 * many as the link credit and the peer's session window allow (a message larger than the peer's
 * maximum frame size is split into several transfers). Returns how many messages went out and
 * whether the socket asked the writer to slow down.
 */
export function writeTransfers(link: Sender, messages: readonly Buffer[]): { sent: number; full: boolean } {
  const state = stateOf(link);
  const outgoing = state.session.outgoing;
  const connection = state.connection;
  const socket = connection.socket;
  if (!socket || transferCredit(link).blocked !== 'none') return { sent: 0, full: false };
  const maxFrame = Math.min(connection.max_frame_size ?? 0xffffffff, 0xffffffff);
  const maxPayload = Math.max(1, maxFrame - FRAME_OVERHEAD);
  const window = outgoing.transfer_window();
  let sent = 0;
  let total = 0;
  let frameCount = 0;
  for (const message of messages) {
    const frames = framesFor(message.length, maxPayload);
    if (sent >= state.credit || frameCount + frames > window) break;
    frameCount += frames;
    total += frames * FRAME_OVERHEAD + message.length;
    sent++;
  }
  if (sent === 0) return { sent: 0, full: false };
  const out = Buffer.allocUnsafe(total);
  const channel = state.session.local.channel;
  const handle = state.local.handle;
  let deliveryId = outgoing.next_delivery_id;
  let p = 0;
  for (let i = 0; i < sent; i++) {
    const message = messages[i] as Buffer;
    let start = 0;
    do {
      const end = Math.min(message.length, start + maxPayload);
      p = writeTransferHeader(out, p, end - start, channel, handle, deliveryId, end < message.length);
      p += message.copy(out, p, start, end);
      start = end;
    } while (start < message.length);
    deliveryId++;
  }
  // Anything rhea has encoded but not yet written goes first.
  connection.output();
  outgoing.next_delivery_id += sent;
  outgoing.next_pending_delivery += sent;
  outgoing.next_transfer_id += frameCount;
  outgoing.window -= frameCount;
  state.credit -= sent;
  state.delivery_count += sent;
  return { sent, full: !socket.write(out) };
}

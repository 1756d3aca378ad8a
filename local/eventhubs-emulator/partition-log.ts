/**
 * One partition's durable, append-only event log.
 *
 * Layout under the partition directory:
 *   <baseOffset:20 digits>.log  segment: 16-byte header ("EHS1", version, base sequence number),
 *                               then records [u32 length][u32 crc32][f64 sequence][f64 enqueued ms][message]
 *   <baseOffset:20 digits>.idx  sparse index: one [f64 sequence][f64 enqueued ms][f64 file position]
 *                               entry per ~64 KiB of records (and the first record of each segment)
 *
 * The offset of an event is `baseOffset + position in the segment file`, so offsets are unique,
 * increasing and survive restarts. The stored message already carries its system annotations
 * (sequence number, offset, enqueued time), so delivery is a plain read and a send.
 * Nothing but the segment summaries and the active segment's sparse index stays in memory.
 */
import { open, readdir, rm, mkdir, readFile, appendFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { withSystemAnnotations } from './amqp-sections.js';

const SEGMENT_MAGIC = 0x45485331; // "EHS1"
const SEGMENT_HEADER = 16;
const RECORD_HEADER = 24;
const INDEX_ENTRY = 24;
const INDEX_SPACING = 64 * 1024;
const READ_CHUNK = 512 * 1024;
/** Recently committed records kept in memory so consumers at the tail never touch the disk. */
const TAIL_CACHE_BYTES = 2 * 1024 * 1024;

interface CachedRecord {
  offset: number;
  sequenceNumber: number;
  enqueuedTime: number;
  bytes: Buffer;
}

/** Committed bytes of a segment file read in one go, starting at file position `start`. */
interface LogChunk {
  start: number;
  bytes: Buffer;
}

/** The last chunk one reader read from disk, so its next read can continue from memory. */
export class ReadAhead {
  private segmentBase = -1;
  private chunk: LogChunk | undefined;

  /** The kept chunk when a complete record at `position` of that segment is in it. */
  covering(segmentBase: number, position: number): LogChunk | undefined {
    const chunk = this.chunk;
    if (!chunk || segmentBase !== this.segmentBase) return undefined;
    const p = position - chunk.start;
    if (p < 0 || p + RECORD_HEADER > chunk.bytes.length) return undefined;
    return p + chunk.bytes.readUInt32BE(p) <= chunk.bytes.length ? chunk : undefined;
  }

  /** Drops the kept chunk (the reader has caught up with the in-memory tail). */
  release(): void {
    this.chunk = undefined;
  }

  keep(segmentBase: number, chunk: LogChunk): void {
    this.segmentBase = segmentBase;
    this.chunk = chunk;
  }
}

export interface LogOptions {
  dir: string;
  segmentBytes: number;
}

export interface StoredRecord {
  sequenceNumber: number;
  enqueuedTime: number;
  offset: number;
  /** Complete AMQP message, ready to transfer. */
  message: Buffer;
}

interface IndexEntry {
  sequenceNumber: number;
  enqueuedTime: number;
  position: number;
}

class Segment {
  handle: FileHandle | undefined;
  /** Committed (durable) bytes in the file. */
  size = SEGMENT_HEADER;
  count = 0;
  firstSeq = -1;
  firstTime = 0;
  lastSeq = -1;
  lastTime = 0;
  /** Sparse index; kept in memory only for the active segment. */
  index: IndexEntry[] | undefined;
  created = false;
  creating: Promise<FileHandle> | undefined;
  /** Final size once rolled; the segment is fully durable when `size` reaches it. */
  sealedSize: number | undefined;
  deleted = false;
  pins = 0;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly baseSeq: number,
  ) {}

  get name(): string {
    return String(this.baseOffset).padStart(20, '0');
  }
  get logPath(): string {
    return join(this.dir, `${this.name}.log`);
  }
  get indexPath(): string {
    return join(this.dir, `${this.name}.idx`);
  }
  get endOffset(): number {
    return this.baseOffset + this.size;
  }
  get firstOffset(): number {
    return this.baseOffset + SEGMENT_HEADER;
  }
}

interface PendingRecord {
  segment: Segment;
  position: number;
  bytes: Buffer;
  sequenceNumber: number;
  enqueuedTime: number;
  indexed: boolean;
}

interface PendingAppend {
  records: PendingRecord[];
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface PartitionSnapshot {
  beginSequenceNumber: number;
  lastSequenceNumber: number;
  lastOffset: number;
  lastEnqueuedTime: number;
  isEmpty: boolean;
}

export class PartitionLog {
  private segments: Segment[] = [];
  private nextSeq = 0;
  private lastAssignedTime = 0;
  /** Write position (assigned, not necessarily durable) in the active segment. */
  private assignedPosition = SEGMENT_HEADER;
  private bytesSinceIndex = Infinity;
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private listeners = new Set<() => void>();
  private committedLastSeq = -1;
  private committedLastOffset = -1;
  private committedLastTime = 0;
  private indexCache = new Map<Segment, IndexEntry[]>();
  private tail: CachedRecord[] = [];
  private tailStart = 0;
  private tailBytes = 0;
  private closed = false;

  private constructor(private readonly options: LogOptions) {}

  static async open(options: LogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    await log.recover();
    return log;
  }

  private get active(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (!last) throw new Error('partition log has no segment');
    return last;
  }

  // ---------------------------------------------------------------- recovery

  private async recover(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const names = (await readdir(this.options.dir)).filter((n) => /^\d{20}\.log$/.test(n)).sort();
    for (const name of names) {
      const baseOffset = Number(name.slice(0, 20));
      const path = join(this.options.dir, name);
      const handle = await open(path, 'r+');
      const header = Buffer.alloc(SEGMENT_HEADER);
      const { bytesRead } = await handle.read(header, 0, SEGMENT_HEADER, 0);
      if (bytesRead < SEGMENT_HEADER || header.readUInt32BE(0) !== SEGMENT_MAGIC) {
        // A segment whose header never became durable holds no acknowledged events.
        await handle.close();
        await rm(path, { force: true });
        await rm(path.replace(/\.log$/, '.idx'), { force: true });
        continue;
      }
      const segment = new Segment(this.options.dir, baseOffset, header.readDoubleBE(8));
      segment.handle = handle;
      segment.created = true;
      await this.recoverSegment(segment);
      this.segments.push(segment);
    }
    if (this.segments.length === 0) {
      this.segments.push(new Segment(this.options.dir, 0, 0));
    }
    const active = this.active;
    active.index = await this.loadIndex(active);
    this.indexCache.delete(active);
    // Close the read handles of sealed segments; they are reopened on demand.
    for (const s of this.segments) {
      if (s !== active && s.handle) {
        await s.handle.close();
        s.handle = undefined;
      }
    }
    const lastWithData = [...this.segments].reverse().find((s) => s.count > 0);
    this.nextSeq = lastWithData ? lastWithData.lastSeq + 1 : active.baseSeq;
    this.committedLastSeq = this.nextSeq - 1;
    this.committedLastTime = lastWithData?.lastTime ?? 0;
    this.committedLastOffset = lastWithData ? await this.lastRecordOffset(lastWithData) : -1;
    this.lastAssignedTime = this.committedLastTime;
    this.assignedPosition = active.size;
    const lastIndexed = active.index?.[active.index.length - 1];
    this.bytesSinceIndex = lastIndexed ? active.size - lastIndexed.position : Infinity;
  }

  /** Reads the sparse index, then scans the records after its last entry to find the true end. */
  private async recoverSegment(segment: Segment): Promise<void> {
    const handle = segment.handle as FileHandle;
    const fileSize = (await handle.stat()).size;
    const onDisk = await this.readIndexFile(segment);
    const entries = onDisk.filter((e) => e.position + RECORD_HEADER <= fileSize);
    for (;;) {
      const from = entries[entries.length - 1];
      const scanned = await this.scanValid(handle, fileSize, from, segment.baseSeq);
      if (from && scanned.count === 0) {
        // The indexed record itself did not survive: fall back to the previous entry.
        entries.pop();
        continue;
      }
      if (scanned.end < fileSize) {
        // Torn or unacknowledged tail: drop it.
        await handle.truncate(scanned.end);
        await handle.datasync();
      }
      const all = [...entries, ...scanned.added];
      if (entries.length !== onDisk.length || scanned.added.length > 0) {
        await writeFile(segment.indexPath, encodeIndex(all));
      }
      segment.size = scanned.end;
      const first = all[0];
      if (!first) {
        segment.count = 0;
        return;
      }
      segment.count = all.length + scanned.count; // only "> 0" matters
      segment.firstSeq = first.sequenceNumber;
      segment.firstTime = first.enqueuedTime;
      segment.lastSeq = scanned.lastSeq;
      segment.lastTime = scanned.lastTime;
      return;
    }
  }

  /** Validates records from an index entry (or the segment start) to the first bad one. */
  private async scanValid(
    handle: FileHandle,
    fileSize: number,
    from: IndexEntry | undefined,
    baseSeq: number,
  ): Promise<{ end: number; count: number; lastSeq: number; lastTime: number; added: IndexEntry[] }> {
    let position = from ? from.position : SEGMENT_HEADER;
    let expectedSeq = from ? from.sequenceNumber : baseSeq;
    let lastIndexed = from ? from.position : -Infinity;
    let count = 0;
    let lastSeq = -1;
    let lastTime = 0;
    const added: IndexEntry[] = [];
    const head = Buffer.alloc(RECORD_HEADER);
    while (position + RECORD_HEADER <= fileSize) {
      await handle.read(head, 0, RECORD_HEADER, position);
      const length = head.readUInt32BE(0);
      if (length < RECORD_HEADER || position + length > fileSize) break;
      const body = Buffer.alloc(length - 8);
      await handle.read(body, 0, length - 8, position + 8);
      if (crc32(body) !== head.readUInt32BE(4)) break;
      const seq = body.readDoubleBE(0);
      const time = body.readDoubleBE(8);
      if (seq !== expectedSeq) break;
      if (position - lastIndexed >= INDEX_SPACING) {
        added.push({ sequenceNumber: seq, enqueuedTime: time, position });
        lastIndexed = position;
      }
      count++;
      lastSeq = seq;
      lastTime = time;
      expectedSeq = seq + 1;
      position += length;
    }
    return { end: position, count, lastSeq, lastTime, added };
  }

  private async lastRecordOffset(segment: Segment): Promise<number> {
    const entries = segment.index ?? (await this.loadIndex(segment));
    let position = (entries[entries.length - 1] as IndexEntry).position;
    let last = position;
    await this.withHandle(segment, async (handle) => {
      const head = Buffer.alloc(4);
      while (position < segment.size) {
        await handle.read(head, 0, 4, position);
        last = position;
        position += head.readUInt32BE(0);
      }
    });
    return segment.baseOffset + last;
  }

  private async readIndexFile(segment: Segment): Promise<IndexEntry[]> {
    let raw: Buffer;
    try {
      raw = await readFile(segment.indexPath);
    } catch {
      return [];
    }
    const entries: IndexEntry[] = [];
    for (let p = 0; p + INDEX_ENTRY <= raw.length; p += INDEX_ENTRY) {
      entries.push({
        sequenceNumber: raw.readDoubleBE(p),
        enqueuedTime: raw.readDoubleBE(p + 8),
        position: raw.readDoubleBE(p + 16),
      });
    }
    return entries;
  }

  private async loadIndex(segment: Segment): Promise<IndexEntry[]> {
    if (segment.index) return segment.index;
    const cached = this.indexCache.get(segment);
    if (cached) return cached;
    const entries = await this.readIndexFile(segment);
    this.indexCache.set(segment, entries);
    if (this.indexCache.size > 4) {
      const oldest = this.indexCache.keys().next().value;
      if (oldest) this.indexCache.delete(oldest);
    }
    return entries;
  }

  // ---------------------------------------------------------------- writes

  /**
   * Appends events (encoded AMQP messages) and resolves once they are on disk. Sequence numbers,
   * offsets and enqueued times are assigned synchronously, in call order.
   */
  append(events: Buffer[], partitionKey: string | undefined): Promise<void> {
    if (this.closed) return Promise.reject(new Error('partition log is closed'));
    const records: PendingRecord[] = [];
    for (const event of events) {
      if (this.assignedPosition >= this.options.segmentBytes && this.assignedPosition > SEGMENT_HEADER) {
        this.roll();
      }
      const segment = this.active;
      const position = this.assignedPosition;
      const sequenceNumber = this.nextSeq++;
      const enqueuedTime = Math.max(Date.now(), this.lastAssignedTime);
      this.lastAssignedTime = enqueuedTime;
      const offset = segment.baseOffset + position;
      // The record is the stored message with room for its header in front: one buffer, one copy.
      const bytes = withSystemAnnotations(
        event,
        { sequenceNumber, offset: String(offset), enqueuedTime, partitionKey },
        RECORD_HEADER,
      );
      bytes.writeUInt32BE(bytes.length, 0);
      bytes.writeDoubleBE(sequenceNumber, 8);
      bytes.writeDoubleBE(enqueuedTime, 16);
      bytes.writeUInt32BE(crc32(bytes.subarray(8)), 4);
      const indexed = this.bytesSinceIndex >= INDEX_SPACING;
      this.bytesSinceIndex = indexed ? bytes.length : this.bytesSinceIndex + bytes.length;
      records.push({ segment, position, bytes, sequenceNumber, enqueuedTime, indexed });
      this.assignedPosition += bytes.length;
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  private roll(): void {
    const previous = this.active;
    previous.sealedSize = this.assignedPosition;
    const segment = new Segment(this.options.dir, previous.baseOffset + this.assignedPosition, this.nextSeq);
    segment.index = [];
    this.segments.push(segment);
    this.assignedPosition = SEGMENT_HEADER;
    this.bytesSinceIndex = Infinity;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.writeBatch(batch);
          for (const p of batch) p.resolve();
        } catch (error) {
          for (const p of batch) p.reject(error instanceof Error ? error : new Error(String(error)));
        }
        for (const listener of [...this.listeners]) listener();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBatch(batch: PendingAppend[]): Promise<void> {
    const records = batch.flatMap((p) => p.records);
    let i = 0;
    while (i < records.length) {
      const segment = (records[i] as PendingRecord).segment;
      let j = i;
      const buffers: Buffer[] = [];
      while (j < records.length && (records[j] as PendingRecord).segment === segment) {
        buffers.push((records[j] as PendingRecord).bytes);
        j++;
      }
      const group = records.slice(i, j);
      const handle = await this.writableHandle(segment);
      await writeAll(handle, buffers, (group[0] as PendingRecord).position);
      await handle.datasync();
      this.commit(segment, group);
      const newEntries = group
        .filter((r) => r.indexed)
        .map((r) => ({
          sequenceNumber: r.sequenceNumber,
          enqueuedTime: r.enqueuedTime,
          position: r.position,
        }));
      if (newEntries.length > 0) {
        segment.index?.push(...newEntries);
        await appendFile(segment.indexPath, encodeIndex(newEntries));
      }
      i = j;
    }
  }

  private writableHandle(segment: Segment): Promise<FileHandle> {
    if (segment.handle && segment.created) return Promise.resolve(segment.handle);
    segment.creating ??= this.createSegmentFile(segment);
    return segment.creating;
  }

  private async createSegmentFile(segment: Segment): Promise<FileHandle> {
    // A new segment: seal the previous one first (its data is already durable).
    const handle = await open(segment.logPath, 'w+');
    const header = Buffer.alloc(SEGMENT_HEADER);
    header.writeUInt32BE(SEGMENT_MAGIC, 0);
    header.writeUInt32BE(1, 4);
    header.writeDoubleBE(segment.baseSeq, 8);
    await handle.write(header, 0, SEGMENT_HEADER, 0);
    await writeFile(segment.indexPath, Buffer.alloc(0));
    segment.handle = handle;
    segment.created = true;
    for (const s of this.segments) {
      if (s !== segment && s.handle && s.pins === 0) {
        s.index = undefined;
        await s.handle.close();
        s.handle = undefined;
      } else if (s !== segment) {
        s.index = undefined;
      }
    }
    return handle;
  }

  private commit(segment: Segment, group: PendingRecord[]): void {
    const first = group[0] as PendingRecord;
    const last = group[group.length - 1] as PendingRecord;
    if (segment.count === 0) {
      segment.firstSeq = first.sequenceNumber;
      segment.firstTime = first.enqueuedTime;
    }
    segment.count += group.length;
    segment.lastSeq = last.sequenceNumber;
    segment.lastTime = last.enqueuedTime;
    segment.size = last.position + last.bytes.length;
    this.committedLastSeq = last.sequenceNumber;
    this.committedLastTime = last.enqueuedTime;
    this.committedLastOffset = segment.baseOffset + last.position;
    for (const r of group) {
      this.tail.push({
        offset: segment.baseOffset + r.position,
        sequenceNumber: r.sequenceNumber,
        enqueuedTime: r.enqueuedTime,
        bytes: r.bytes,
      });
      this.tailBytes += r.bytes.length;
    }
    while (this.tailBytes > TAIL_CACHE_BYTES && this.tailStart < this.tail.length - 1) {
      this.tailBytes -= (this.tail[this.tailStart] as CachedRecord).bytes.length;
      this.tailStart++;
    }
    if (this.tailStart > 4096) {
      this.tail = this.tail.slice(this.tailStart);
      this.tailStart = 0;
    }
  }

  /** Serves a read from the in-memory tail when it covers `from`. */
  private readTail(from: number, maxRecords: number): { records: StoredRecord[]; next: number } | undefined {
    const first = this.tail[this.tailStart];
    if (!first || from < first.offset) return undefined;
    // First cached record at or after `from`.
    let lo = this.tailStart;
    let hi = this.tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.tail[mid] as CachedRecord).offset < from) lo = mid + 1;
      else hi = mid;
    }
    const records: StoredRecord[] = [];
    let i = lo;
    for (; i < this.tail.length && records.length < maxRecords; i++) {
      const r = this.tail[i] as CachedRecord;
      records.push({
        sequenceNumber: r.sequenceNumber,
        enqueuedTime: r.enqueuedTime,
        offset: r.offset,
        message: r.bytes.subarray(RECORD_HEADER),
      });
    }
    const lastReturned = this.tail[i - 1];
    const next =
      i < this.tail.length
        ? (this.tail[i] as CachedRecord).offset
        : lastReturned && i > lo
          ? lastReturned.offset + lastReturned.bytes.length
          : from;
    return { records, next };
  }

  // ---------------------------------------------------------------- reads

  snapshot(): PartitionSnapshot {
    const first = this.segments.find((s) => s.count > 0);
    return {
      beginSequenceNumber: first ? first.firstSeq : this.committedLastSeq + 1,
      lastSequenceNumber: this.committedLastSeq,
      lastOffset: this.committedLastOffset,
      lastEnqueuedTime: this.committedLastTime,
      isEmpty: !first,
    };
  }

  /** Offset of the first retained event (or the end, when empty). */
  earliestOffset(): number {
    const first = this.segments.find((s) => s.count > 0);
    return first ? first.firstOffset : this.endOffset();
  }

  /** Offset the next committed event will have (reading from here waits for new events). */
  endOffset(): number {
    const last = [...this.segments].reverse().find((s) => s.count > 0);
    return last ? last.endOffset : this.active.firstOffset;
  }

  lastSequenceNumber(): number {
    return this.committedLastSeq;
  }

  /** First offset whose record satisfies `pred`, searching from the segment `pick` selects. */
  private async seek(
    pick: (s: Segment) => boolean,
    indexBefore: (e: IndexEntry, s: Segment) => boolean,
    pred: (seq: number, time: number, offset: number) => boolean,
  ): Promise<number> {
    const candidates = this.segments.filter((s) => s.count > 0);
    const startAt = candidates.findIndex(pick);
    if (startAt < 0) return this.endOffset();
    for (let k = startAt; k < candidates.length; k++) {
      const segment = candidates[k] as Segment;
      const entries = await this.loadIndex(segment);
      let position = SEGMENT_HEADER;
      for (const e of entries) {
        if (indexBefore(e, segment)) position = e.position;
        else break;
      }
      const found = await this.scan(segment, position, pred);
      if (found !== undefined) return found;
    }
    return this.endOffset();
  }

  private async scan(
    segment: Segment,
    from: number,
    pred: (seq: number, time: number, offset: number) => boolean,
  ): Promise<number | undefined> {
    return this.withHandle(segment, async (handle) => {
      let position = from;
      const head = Buffer.alloc(RECORD_HEADER);
      while (position < segment.size) {
        await handle.read(head, 0, RECORD_HEADER, position);
        const offset = segment.baseOffset + position;
        if (pred(head.readDoubleBE(8), head.readDoubleBE(16), offset)) return offset;
        position += head.readUInt32BE(0);
      }
      return undefined;
    });
  }

  async offsetForSequence(sequenceNumber: number): Promise<number> {
    return this.seek(
      (s) => s.lastSeq >= sequenceNumber,
      (e) => e.sequenceNumber <= sequenceNumber,
      (seq) => seq >= sequenceNumber,
    );
  }

  async offsetForOffset(target: number, inclusive: boolean): Promise<number> {
    const ok = (offset: number): boolean => (inclusive ? offset >= target : offset > target);
    return this.seek(
      (s) => s.endOffset > target,
      (e, s) => s.baseOffset + e.position <= target,
      (_seq, _time, offset) => ok(offset),
    );
  }

  /** First event enqueued strictly after `time` (the service's enqueued-time filter). */
  async offsetForTime(time: number, inclusive: boolean): Promise<number> {
    const ok = (t: number): boolean => (inclusive ? t >= time : t > time);
    return this.seek(
      (s) => ok(s.lastTime),
      (e) => !ok(e.enqueuedTime),
      (_seq, t) => ok(t),
    );
  }

  /**
   * Reads committed records starting at `offset` (a record boundary, or any offset before the
   * earliest retained event). Returns the records and the offset after the last one. A reader that
   * passes its own `readAhead` gets the rest of the last chunk it read from disk without another
   * read (consumers that fall behind the in-memory tail read each byte once).
   */
  async read(
    offset: number,
    maxRecords: number,
    readAhead?: ReadAhead,
  ): Promise<{ records: StoredRecord[]; next: number }> {
    let from = offset;
    const cached = this.readTail(from, maxRecords);
    if (cached) {
      readAhead?.release();
      return cached;
    }
    if (from < this.earliestOffset()) from = this.earliestOffset();
    const segment = this.segments.find(
      (s) => s.created && s.count > 0 && from >= s.baseOffset && from < s.endOffset,
    );
    if (!segment) {
      // At the end of a segment: continue at the next one that has data.
      const next = this.segments.find((s) => s.count > 0 && s.firstOffset >= from);
      if (next && next.firstOffset !== from) return this.read(next.firstOffset, maxRecords, readAhead);
      return { records: [], next: from };
    }
    let position = Math.max(from - segment.baseOffset, SEGMENT_HEADER);
    let chunk = readAhead?.covering(segment.baseOffset, position);
    if (!chunk) {
      chunk = await this.readChunk(segment, position);
      readAhead?.keep(segment.baseOffset, chunk);
    }
    const records: StoredRecord[] = [];
    const { bytes, start } = chunk;
    let p = position - start;
    while (records.length < maxRecords && p + RECORD_HEADER <= bytes.length) {
      const length = bytes.readUInt32BE(p);
      if (p + length > bytes.length) break;
      records.push({
        sequenceNumber: bytes.readDoubleBE(p + 8),
        enqueuedTime: bytes.readDoubleBE(p + 16),
        offset: segment.baseOffset + start + p,
        message: bytes.subarray(p + RECORD_HEADER, p + length),
      });
      p += length;
    }
    position = start + p;
    let next = segment.baseOffset + position;
    if (position >= segment.size) {
      const later = this.segments.find((s) => s.baseOffset > segment.baseOffset && s.count > 0);
      if (later) next = later.firstOffset;
    }
    return { records, next };
  }

  /** Up to READ_CHUNK committed bytes from `position`, and always the whole first record. */
  private async readChunk(segment: Segment, position: number): Promise<LogChunk> {
    return this.withHandle(segment, async (handle) => {
      const available = segment.size - position;
      let chunk = Buffer.allocUnsafe(Math.min(available, READ_CHUNK));
      let { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead >= 4) {
        const firstLength = chunk.readUInt32BE(0);
        if (firstLength > bytesRead) {
          chunk = Buffer.allocUnsafe(firstLength);
          ({ bytesRead } = await handle.read(chunk, 0, firstLength, position));
        }
      }
      return { start: position, bytes: chunk.subarray(0, bytesRead) };
    });
  }

  /** Calls `listener` after every commit until the returned function is called. */
  onCommit(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async withHandle<T>(segment: Segment, use: (handle: FileHandle) => Promise<T>): Promise<T> {
    segment.pins++;
    try {
      if (!segment.handle) segment.handle = await open(segment.logPath, 'r');
      return await use(segment.handle);
    } finally {
      segment.pins--;
      if (segment.deleted && segment.pins === 0) await closeQuietly(segment);
    }
  }

  // ---------------------------------------------------------------- retention

  /** Deletes whole sealed segments older than `maxAgeMs` or beyond `maxBytes` in total. */
  async applyRetention(maxAgeMs: number, maxBytes: number | undefined, now = Date.now()): Promise<number> {
    let removed = 0;
    const sealed = (): Segment[] => this.segments.slice(0, -1);
    const total = (): number => this.segments.reduce((sum, s) => sum + s.size, 0);
    // An active segment that is entirely expired is sealed so it can go too.
    const active = this.active;
    if (active.count > 0 && active.lastTime < now - maxAgeMs && this.assignedPosition === active.size) {
      this.roll();
      // The new segment file records the next sequence number, so it must exist before the old goes.
      await this.writableHandle(this.active);
    }
    for (const segment of sealed()) {
      if (segment.sealedSize !== undefined && segment.size !== segment.sealedSize) break;
      const expired = segment.count === 0 || segment.lastTime < now - maxAgeMs;
      const oversize = maxBytes !== undefined && total() > maxBytes;
      if (!expired && !oversize) break;
      this.segments.splice(this.segments.indexOf(segment), 1);
      this.indexCache.delete(segment);
      segment.deleted = true;
      await rm(segment.logPath, { force: true });
      await rm(segment.indexPath, { force: true });
      if (segment.pins === 0) await closeQuietly(segment);
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
    for (const s of this.segments) await closeQuietly(s);
    this.listeners.clear();
  }
}

async function closeQuietly(segment: Segment): Promise<void> {
  const handle = segment.handle;
  segment.handle = undefined;
  await handle?.close().catch(() => undefined);
}

async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let p = position;
  // writev is limited to IOV_MAX buffers per call.
  for (let i = 0; i < buffers.length; i += 512) {
    const slice = buffers.slice(i, i + 512);
    const expected = slice.reduce((n, b) => n + b.length, 0);
    let { bytesWritten } = await handle.writev(slice, p);
    if (bytesWritten < expected) {
      const rest = Buffer.concat(slice).subarray(bytesWritten);
      let written = 0;
      while (written < rest.length) {
        const r = await handle.write(rest, written, rest.length - written, p + bytesWritten + written);
        written += r.bytesWritten;
      }
      bytesWritten = expected;
    }
    p += bytesWritten;
  }
}

function encodeIndex(entries: IndexEntry[]): Buffer {
  const out = Buffer.alloc(entries.length * INDEX_ENTRY);
  entries.forEach((e, i) => {
    out.writeDoubleBE(e.sequenceNumber, i * INDEX_ENTRY);
    out.writeDoubleBE(e.enqueuedTime, i * INDEX_ENTRY + 8);
    out.writeDoubleBE(e.position, i * INDEX_ENTRY + 16);
  });
  return out;
}

/**
 * A write-ahead journal for Azurite's LokiJS metadata, so that a write is durable before it is
 * acknowledged without re-saving the whole database each time (a full save serializes every
 * blob's metadata: its cost grows with the blob count and capped local ingest near 100 writes/s).
 *
 * Every insert, update and delete in any collection is appended as the document's full state
 * (`[database, collection, op, doc]`, one JSON line) and a group commit writes and fdatasyncs the
 * lines. A checkpoint writes full snapshots and starts a new journal generation; at start-up the
 * snapshot Azurite loaded gets every journal replayed on top, oldest first.
 *
 * Replay is idempotent, so a snapshot newer than a journal (a crash between a snapshot's rename
 * and the old journal's deletion, or Azurite's own save at close) is harmless: a document present
 * is set to the journaled state, a delete of an absent one is a no-op, and an insert of an absent
 * document with an id at or below the collection's highest id was deleted later in the journal,
 * so it is skipped. Documents are journaled when LokiJS reports the change; Azurite always calls
 * `update()` after changing a document, as LokiJS requires for its indices.
 */
import {
  closeSync,
  fdatasyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

interface LokiDocument {
  $loki: number;
  [field: string]: unknown;
}

export interface LokiCollection {
  name: string;
  maxId: number;
  on(event: 'insert' | 'update' | 'delete', listener: (doc: LokiDocument | LokiDocument[]) => void): void;
  get(id: number): LokiDocument | null;
  insert(doc: Record<string, unknown>): unknown;
  update(doc: LokiDocument): unknown;
  remove(doc: LokiDocument): unknown;
}

export interface LokiDatabase {
  filename: string;
  collections: LokiCollection[];
  serialize(): string;
  autosaveDisable(): void;
  getCollection(name: string): LokiCollection | null;
}

type Operation = 'i' | 'u' | 'd';
type JournalEntry = [database: number, collection: string, op: Operation, doc: LokiDocument];

const JOURNAL_PATTERN = /^__azurite_journal_(\d+)\.jsonl$/;
/** Journal size that triggers a checkpoint; replaying this much at start-up takes a few seconds. */
const CHECKPOINT_BYTES = 128 * 1024 * 1024;

function journalFiles(dir: string): { generation: number; path: string }[] {
  return readdirSync(dir)
    .map((name) => ({ match: JOURNAL_PATTERN.exec(name), name }))
    .filter((entry) => entry.match)
    .map((entry) => ({ generation: Number(entry.match?.[1]), path: join(dir, entry.name) }))
    .sort((a, b) => a.generation - b.generation);
}

function applyEntry(collection: LokiCollection, op: Operation, doc: LokiDocument): void {
  const existing = collection.get(doc.$loki);
  if (op === 'd') {
    if (existing) collection.remove(existing);
  } else if (existing) {
    collection.update(doc);
  } else if (doc.$loki > collection.maxId) {
    const { $loki, ...fields } = doc;
    collection.maxId = $loki - 1; // LokiJS gives the next insert maxId + 1: the journaled id
    collection.insert(fields);
  }
}

/** Writes a file next to its final name, syncs it, then renames it into place. */
function writeDurably(path: string, text: string): void {
  const temporary = `${path}~`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

export class MetadataJournal {
  private pending: string[] = [];
  private generation = 0;
  private bytes = 0;
  private handle: FileHandle | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /**
   * `beforeWrite` runs before each group of changes (and each snapshot) is written: it makes the
   * data those changes point at durable first (the extent files, see azurite-speedups.ts).
   */
  constructor(
    private readonly dir: string,
    private readonly databases: LokiDatabase[],
    private readonly beforeWrite: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Replays the journals onto the loaded snapshots, checkpoints, and starts journaling. */
  async open(): Promise<{ replayed: number }> {
    let replayed = 0;
    const files = journalFiles(this.dir);
    for (const file of files) {
      for (const line of readFileSync(file.path, 'utf8').split('\n')) {
        if (line === '') continue;
        let entry: JournalEntry;
        try {
          entry = JSON.parse(line) as JournalEntry;
        } catch {
          break; // a torn last line: its write was never acknowledged
        }
        const [database, name, op, doc] = entry;
        const collection = this.databases[database]?.getCollection(name);
        if (collection) applyEntry(collection, op, doc);
        replayed += 1;
      }
    }
    this.generation = (files.at(-1)?.generation ?? 0) + 1;
    this.checkpointNow();
    this.handle = await open(this.journalPath(this.generation), 'a');
    for (const file of files) rmSync(file.path, { force: true });
    this.databases.forEach((database, index) => {
      database.autosaveDisable(); // the journal and checkpoints replace the 5-second full saves
      for (const collection of database.collections) this.watch(index, collection);
    });
    return { replayed };
  }

  /** Resolves once every change made before the call is on disk (one write serves many callers). */
  commit(): Promise<void> {
    if (!this.running) return this.run();
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.run();
    });
    return this.next;
  }

  /** Waits for pending writes, then writes full snapshots and drops the journal (clean shutdown). */
  async close(): Promise<void> {
    await this.commit();
    await this.handle?.close();
    this.handle = undefined;
    const old = this.journalPath(this.generation);
    await this.beforeWrite();
    this.checkpointNow();
    rmSync(old, { force: true });
  }

  private journalPath(generation: number): string {
    return join(this.dir, `__azurite_journal_${generation}.jsonl`);
  }

  private watch(database: number, collection: LokiCollection): void {
    const record = (op: Operation) => (docs: LokiDocument | LokiDocument[]) => {
      for (const doc of Array.isArray(docs) ? docs : [docs])
        this.pending.push(JSON.stringify([database, collection.name, op, doc]));
    };
    collection.on('insert', record('i'));
    collection.on('update', record('u'));
    collection.on('delete', record('d'));
  }

  private run(): Promise<void> {
    this.running = this.flush().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async flush(): Promise<void> {
    if (!this.handle) return;
    const text = this.pending.length > 0 ? this.pending.join('\n') + '\n' : '';
    this.pending = [];
    // What these changes point at was written before they were made: it is made durable first.
    await this.beforeWrite();
    if (text === '') return;
    await this.handle.write(text);
    await this.handle.datasync();
    this.bytes += text.length;
    if (this.bytes >= CHECKPOINT_BYTES) await this.rotate();
  }

  /** New generation: snapshots hold everything so far; changes from now on go to a new file. */
  private async rotate(): Promise<void> {
    const old = this.journalPath(this.generation);
    await this.handle?.close();
    this.generation += 1;
    this.bytes = 0;
    this.handle = await open(this.journalPath(this.generation), 'a');
    // Changes made while the new file opened are both in the snapshot and still pending for it.
    await this.beforeWrite();
    this.checkpointNow();
    rmSync(old, { force: true });
  }

  private checkpointNow(): void {
    for (const database of this.databases) writeDurably(database.filename, database.serialize());
  }
}

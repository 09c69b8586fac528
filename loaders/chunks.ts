// Rows → DuckDB data chunks, column by column. Numbers wait in typed arrays and reach
// DuckDB as one memory copy per column per chunk, lists as one copy of all their items;
// only strings still cost a native call each. Appending value by value (DuckDB's
// appender) was over half of a large conversion's time (docs/performance.md, "Convert").

import duckdb from "@duckdb/node-bindings";
import {BIGINT, BOOLEAN, DOUBLE, type DuckDBAppender, DuckDBDataChunk, type DuckDBType, INTEGER, LIST, VARCHAR} from "@duckdb/node-api";
import type {Column, ColumnType, Row} from "./model.js";

/** DuckDB's vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;

const DUCKDB_TYPES: Record<ColumnType, DuckDBType> = {
  VARCHAR,
  INTEGER,
  BIGINT,
  DOUBLE,
  BOOLEAN,
  "VARCHAR[]": LIST(VARCHAR),
  "INTEGER[]": LIST(INTEGER)
};

/** One column's values for the chunk being filled, and how they reach a vector. */
interface ColumnBuffer {
  /** `vector` is the column's vector in the chunk being filled (strings go straight into it). */
  set(row: number, value: unknown, vector: duckdb.Vector): void;
  write(vector: duckdb.Vector, rows: number): void;
}

/** Which rows hold null, as DuckDB's validity mask: bit i of the little-endian words, set = valid. */
class Validity {
  private bits = new Uint8Array(CHUNK_ROWS / 8).fill(0xff);
  private nulls = false;

  setNull(row: number): void {
    this.bits[row >> 3] &= ~(1 << (row & 7));
    this.nulls = true;
  }

  write(vector: duckdb.Vector, rows: number): void {
    if (!this.nulls) return;
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, this.bits.buffer, 0, Math.ceil(rows / 64) * 8);
    this.bits.fill(0xff);
    this.nulls = false;
  }
}

/** INTEGER, BIGINT, DOUBLE and BOOLEAN: a typed array copied whole. */
class NumberBuffer<A extends Int32Array | BigInt64Array | Float64Array | Uint8Array> implements ColumnBuffer {
  private validity = new Validity();
  constructor(
    private readonly items: A,
    private readonly convert: (value: unknown) => A[number]
  ) {}

  set(row: number, value: unknown): void {
    if (value === null || value === undefined) this.validity.setNull(row);
    else this.items[row] = this.convert(value);
  }

  write(vector: duckdb.Vector, rows: number): void {
    duckdb.copy_data_to_vector(vector, 0, this.items.buffer as ArrayBuffer, 0, rows * this.items.BYTES_PER_ELEMENT);
    this.validity.write(vector, rows);
  }
}

/**
 * VARCHAR: each string goes into the vector as it arrives. Holding a chunk's strings until
 * it is full let them outlive V8's young generation, and collecting them cost more than
 * the copying saved.
 */
class StringBuffer implements ColumnBuffer {
  private validity = new Validity();

  set(row: number, value: unknown, vector: duckdb.Vector): void {
    if (value === null || value === undefined) this.validity.setNull(row);
    else duckdb.vector_assign_string_element(vector, row, String(value));
  }

  write(vector: duckdb.Vector, rows: number): void {
    this.validity.write(vector, rows);
  }
}

/**
 * A list column: each row's (offset, length) into one run of items. The entries are
 * DuckDB's pairs of unsigned 64-bit words, written as 32-bit halves (the high halves stay
 * zero) so no BigInt is made per row.
 */
abstract class ListBuffer<T> implements ColumnBuffer {
  private entries = new Uint32Array(CHUNK_ROWS * 4);
  private validity = new Validity();
  protected count = 0;

  set(row: number, value: unknown, vector: duckdb.Vector): void {
    const start = this.count;
    if (value === null || value === undefined) this.validity.setNull(row);
    else for (const item of value as T[]) this.push(item, vector);
    this.entries[row * 4] = start;
    this.entries[row * 4 + 2] = this.count - start;
  }

  write(vector: duckdb.Vector, rows: number): void {
    duckdb.list_vector_reserve(vector, this.count);
    duckdb.list_vector_set_size(vector, this.count);
    this.writeItems(duckdb.list_vector_get_child(vector));
    duckdb.copy_data_to_vector(vector, 0, this.entries.buffer, 0, rows * 16);
    this.validity.write(vector, rows);
    this.count = 0;
  }

  protected abstract push(item: T, vector: duckdb.Vector): void;
  protected abstract writeItems(child: duckdb.Vector): void;
}

class IntegerListBuffer extends ListBuffer<number> {
  private items = new Int32Array(CHUNK_ROWS * 16);

  protected push(item: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.count++] = toInteger(item);
  }

  protected writeItems(child: duckdb.Vector): void {
    duckdb.copy_data_to_vector(child, 0, this.items.buffer, 0, this.count * 4);
  }
}

/** VARCHAR[]: each item goes into the list's child vector as it arrives (see StringBuffer). */
class StringListBuffer extends ListBuffer<unknown> {
  private capacity = 0;
  private child: duckdb.Vector | null = null;

  protected push(item: unknown, vector: duckdb.Vector): void {
    if (this.count === this.capacity) {
      this.capacity = Math.max(CHUNK_ROWS, this.capacity * 2);
      duckdb.list_vector_reserve(vector, this.capacity);
      this.child = duckdb.list_vector_get_child(vector);
    }
    duckdb.vector_assign_string_element(this.child!, this.count++, String(item));
  }

  protected writeItems(): void {
    this.capacity = 0; // the chunk's reset gives its lists back their first buffers
    this.child = null;
  }
}

function toInteger(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`not a 32-bit integer: ${String(value)}`);
  return n;
}

function bufferFor(type: ColumnType): ColumnBuffer {
  switch (type) {
    case "VARCHAR":
      return new StringBuffer();
    case "INTEGER":
      return new NumberBuffer(new Int32Array(CHUNK_ROWS), toInteger);
    case "BIGINT":
      return new NumberBuffer(new BigInt64Array(CHUNK_ROWS), (v) => BigInt(Math.trunc(Number(v))));
    case "DOUBLE":
      return new NumberBuffer(new Float64Array(CHUNK_ROWS), Number);
    case "BOOLEAN":
      return new NumberBuffer(new Uint8Array(CHUNK_ROWS), (v) => (v ? 1 : 0));
    case "VARCHAR[]":
      return new StringListBuffer();
    case "INTEGER[]":
      return new IntegerListBuffer();
  }
}

/**
 * Gathers one table's rows and appends them to DuckDB a full data chunk at a time,
 * flushing the appender into its table every `flushEvery` rows; `close` appends the last,
 * partial chunk and closes the appender.
 */
export class ChunkAppender<R = Row> {
  private readonly chunk: DuckDBDataChunk;
  private readonly buffers: ColumnBuffer[];
  private vectors: duckdb.Vector[] = [];
  private rows = 0;
  private unflushed = 0; // rows appended since the appender last flushed
  private readonly flushEvery: number;

  constructor(
    private readonly appender: DuckDBAppender,
    columns: Column[],
    /** Each column's value in a row, in column order. */
    private readonly sources: ((row: R) => unknown)[],
    {flushEvery = Infinity} = {}
  ) {
    this.chunk = DuckDBDataChunk.create(columns.map((c) => DUCKDB_TYPES[c.type]));
    this.buffers = columns.map((c) => bufferFor(c.type));
    this.flushEvery = flushEvery;
    this.takeVectors();
  }

  add(row: R): void {
    const n = this.rows;
    for (let i = 0; i < this.buffers.length; i++) this.buffers[i].set(n, this.sources[i](row), this.vectors[i]);
    this.rows = n + 1;
    if (this.rows === CHUNK_ROWS) this.appendChunk();
  }

  close(): void {
    this.appendChunk();
    this.appender.closeSync();
  }

  private appendChunk(): void {
    if (this.rows === 0) return;
    const raw = this.chunk.chunk;
    for (let i = 0; i < this.buffers.length; i++) this.buffers[i].write(this.vectors[i], this.rows);
    duckdb.data_chunk_set_size(raw, this.rows);
    this.appender.appendDataChunk(this.chunk);
    duckdb.data_chunk_reset(raw);
    this.takeVectors();
    this.unflushed += this.rows;
    this.rows = 0;
    if (this.unflushed >= this.flushEvery) {
      this.appender.flushSync();
      this.unflushed = 0;
    }
  }

  private takeVectors(): void {
    this.vectors = this.buffers.map((_, i) => duckdb.data_chunk_get_vector(this.chunk.chunk, i));
  }
}

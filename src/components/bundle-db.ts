// A bundle's Parquet tables in duckdb-wasm without the DuckDB parquet extension (which
// would be downloaded at run time): parquet-wasm reads each file into Arrow through
// FileAttachment.parquet(), and the Arrow tables are registered with DuckDBClient.of.
import {DuckDBClient} from "npm:@observablehq/duckdb";
import {createViewStatements, emptyTableStatements} from "./findings.generated.js";

interface Attachment {
  name: string;
  parquet(): Promise<unknown>;
}

export type Row = Record<string, unknown>;

export interface BundleDb {
  /** Rows as plain values: bigint → number, Arrow lists → arrays. */
  query(sql: string): Promise<Row[]>;
  client: {query(sql: string): Promise<unknown>};
}

export async function openBundle(attachments: Record<string, Attachment>): Promise<BundleDb> {
  const read = async ([name, file]: [string, Attachment]) => {
    try {
      return [name, await file.parquet()] as const;
    } catch (error) {
      throw new Error(`cannot read table ${name} (${file.name}): ${(error as Error).message}`);
    }
  };
  // The first read loads parquet-wasm; the others then share it (read all at once, each
  // would fetch and compile the wasm module itself).
  const [first, ...rest] = Object.entries(attachments);
  const entries = first ? [await read(first), ...(await Promise.all(rest.map(read)))] : [];
  const client = await DuckDBClient.of(Object.fromEntries(entries));
  // The evidence views (loaders/evidence/views.ts) over the tables, as in Node; tables the
  // page did not load are empty.
  for (const statement of [...emptyTableStatements(Object.keys(attachments)), ...createViewStatements()]) await client.query(statement);
  return {
    client,
    async query(sql: string) {
      // DuckDBClient.query answers with an Arrow table; rows become plain objects.
      return rowsOf((await client.query(sql)) as Iterable<{toJSON(): Row}>);
    }
  };
}

/** A ```sql``` cell's result (an Arrow table) as plain rows, as `query` gives them. */
export function rowsOf(table: Iterable<{toJSON(): Row}>): Row[] {
  return Array.from(table, (row) => Object.fromEntries(Object.entries(row.toJSON()).map(([k, v]) => [k, plain(v)])));
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v !== null && typeof v === "object" && typeof (v as {toArray?: unknown}).toArray === "function" && !(v instanceof Date)) {
    return Array.from((v as {toArray(): ArrayLike<unknown>}).toArray(), plain);
  }
  return v;
}

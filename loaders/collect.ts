// A RowSink that keeps rows in memory, per table: for tests and small in-process jobs
// (collapsing a perf recording) where no Parquet is wanted.
import type {Row, RowSink, TableName} from "./model.js";

export class Collector implements RowSink {
  tables: Partial<Record<TableName, Row[]>> = {};
  emit(table: TableName, row: Row): void {
    (this.tables[table] ??= []).push(row);
  }
  rows(table: TableName): Row[] {
    return this.tables[table] ?? [];
  }
}

/**
 * Store: the SQLite store of a run folder (runs, events, calls, response cache, features, results),
 * its migrations, and exporters. Imports contracts only.
 */
export {
  type ActionFeatureRow,
  actionFeatureRow,
  RunStore,
  type RunCallSummary,
  type StoredRun,
  type TurnCommit,
} from './run-store.js';
export { TurnCommitBuffer } from './turn-commit-buffer.js';
export {
  expectedTables,
  inspectStore,
  isStoreCorruptionError,
  type StoreInspection,
  storeDamage,
} from './store-health.js';
export { type CallTotals, FEATURE_TABLES, type FeatureTable, StoreReader } from './store-reader.js';
export { ImportLineError, importStore, type StoreImportSource, type StoreImportSummary } from './store-import.js';
export {
  type ColumnSpec,
  type ColumnType,
  EXPORT_FORMATS,
  EXPORT_TABLE_NAMES,
  EXPORT_TABLES,
  type ExportFormat,
  type ExportTable,
  exportTable,
  HIT_CATEGORIES,
  tableRows,
} from './exporters.js';

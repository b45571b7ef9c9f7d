import type { CallRecord } from '../contracts/index.js';
import type { CallRecordSink } from '../models/index.js';

/**
 * The engine's sink for the recorder wrapper: a run's call records, by call id, from the moment the
 * recorder puts them (when the call settles) until the engine takes them into the turn it is
 * building. Taking appends the action parser's notes, which only the engine knows (the recorder sits
 * below the parser). A run's calls are committed with its turn, never one by one, so a resumed run
 * has each call of a committed turn exactly once.
 */
export class TurnCallRecords implements CallRecordSink {
  readonly #settled = new Map<string, CallRecord>();

  put(record: CallRecord): void {
    this.#settled.set(record.callId, record);
  }

  /** The record of a settled call, with the parser's notes as `parse: <note>` warnings. */
  take(callId: string, parseNotes: readonly string[] = []): CallRecord {
    const record = this.#settled.get(callId);
    if (record === undefined) throw new Error(`the recorder wrapper recorded no call ${callId}`);
    this.#settled.delete(callId);
    if (parseNotes.length === 0) return record;
    return { ...record, warnings: [...record.warnings, ...parseNotes.map((note) => `parse: ${note}`)] };
  }
}

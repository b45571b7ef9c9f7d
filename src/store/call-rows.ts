import type { CallRecord } from '../contracts/index.js';

/**
 * The `calls` table's mapping to the contracts' CallRecord, in one place for every writer (a turn's
 * commit, a bundle's import) and reader (the store, the read-only reader).
 */

export const INSERT_CALL_SQL = `INSERT INTO calls (call_id, run_id, turn, agent_id, model, model_version, request_hash,
  prompt_tokens, completion_tokens, cached_prompt_tokens, latency_ms, attempts, retries, cached, finish_reason,
  cost_usd, warnings, text, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The values of INSERT_CALL_SQL for one call. */
export function callRowValues(call: CallRecord): (string | number | null)[] {
  return [
    call.callId,
    call.runId,
    call.turn,
    call.agentId,
    call.model,
    call.modelVersion,
    call.requestHash,
    call.promptTokens,
    call.completionTokens,
    call.cachedPromptTokens,
    call.latencyMs,
    JSON.stringify(call.attempts),
    Math.max(0, call.attempts.length - 1),
    call.cached ? 1 : 0,
    call.finishReason,
    call.costUsd,
    JSON.stringify(call.warnings),
    call.text,
    call.error,
  ];
}

/** A `calls` row (SELECT *) as a CallRecord. */
export function callFromRow(row: Record<string, unknown>): CallRecord {
  return {
    callId: String(row.call_id),
    runId: String(row.run_id),
    turn: Number(row.turn),
    agentId: String(row.agent_id),
    model: String(row.model),
    modelVersion: row.model_version === null ? null : String(row.model_version),
    requestHash: String(row.request_hash),
    promptTokens: Number(row.prompt_tokens),
    completionTokens: Number(row.completion_tokens),
    cachedPromptTokens: row.cached_prompt_tokens === null ? null : Number(row.cached_prompt_tokens),
    latencyMs: Number(row.latency_ms),
    attempts: JSON.parse(String(row.attempts)) as CallRecord['attempts'],
    cached: Number(row.cached) === 1,
    finishReason: String(row.finish_reason) as CallRecord['finishReason'],
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    warnings: JSON.parse(String(row.warnings)) as string[],
    text: String(row.text),
    error: row.error === null ? null : String(row.error),
  };
}

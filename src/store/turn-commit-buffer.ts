import type { RunStore, TurnCommit } from './run-store.js';

/**
 * Group commit for a simulation: turns handed over are committed together, in the order received,
 * at the end of the current event-loop turn (or as soon as `maxTurns` are waiting). Every commit is
 * still whole turns with their run's progress, so a killed process leaves only whole turns and the
 * turns it loses (those of the last few milliseconds) are simulated again on resume, as a turn in
 * progress always was. Committing each turn alone cost a quarter of a large study's simulation: each
 * commit writes every page it touched to the log, the same index pages over and over.
 *
 * A commit that fails in the background is kept and thrown by the next `add` or `flush`, so it ends
 * the run that hands over the next turn rather than the process.
 */
export class TurnCommitBuffer {
  private pending: TurnCommit[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly store: Pick<RunStore, 'commitTurns'>,
    private readonly maxTurns = 64,
  ) {}

  add(commit: TurnCommit): void {
    this.throwFailure();
    this.pending.push(commit);
    if (this.pending.length >= this.maxTurns) {
      this.flush();
      return;
    }
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      try {
        this.flush();
      } catch (error) {
        this.failure ??= { error };
      }
    });
  }

  /** Commits what is waiting now (before a run's status changes, and at the end of a simulation). */
  flush(): void {
    this.throwFailure();
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.pending.length === 0) return;
    const commits = this.pending;
    this.pending = [];
    this.store.commitTurns(commits);
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}

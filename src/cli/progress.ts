import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../runner/index.js';

/**
 * Progress on stderr: a live bar on a terminal; on a pipe or in CI, a plain line every 10% so logs
 * stay readable.
 */
export function createProgressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  if (stream.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} agent turns | {duration_formatted} elapsed, ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (total, done) => bar.start(total, done),
      advance: (by) => bar.increment(by),
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let done = 0;
  let nextReport = 0;
  const started = Date.now();
  return {
    start(totalTurns, alreadyDone) {
      total = totalTurns;
      done = alreadyDone;
      nextReport = Math.floor((done / Math.max(1, total)) * 10 + 1) / 10;
      if (done > 0) stream.write(`${label}: resuming at ${done}/${total} agent turns\n`);
    },
    advance(by) {
      done += by;
      if (total > 0 && done / total >= nextReport - 1e-9) {
        stream.write(
          `${label}: ${done}/${total} agent turns (${Math.round((done / total) * 100)}%), ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
        );
        nextReport += 0.1;
      }
    },
    stop() {},
  };
}

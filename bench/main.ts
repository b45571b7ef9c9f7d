import { arch, cpus, totalmem } from 'node:os';
import { benchmarkEngine } from './engine.bench.js';
import { benchmarkLexicon } from './lexicon.bench.js';
import { benchmarkLmm } from './lmm.bench.js';
import { benchmarkScheduler } from './scheduler.bench.js';

/**
 * `npm run bench`: the performance figures of DESIGN.md, as ratios or counts (never as pass/fail
 * timings in the test suite). Prints a Markdown block to paste into bench/RESULTS.md.
 * `npm run bench -- --quick` skips the four-study replication.
 */
const quick = process.argv.includes('--quick');
const lines: string[] = [];
const print = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

print(
  `## ${new Date().toISOString().slice(0, 10)} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${arch()}, Node ${process.version}`,
);
print('');
print('| figure | target | measured | ratio to target |');
print('|---|---|---|---|');

for (const setting of [
  { slots: 64, latencyMs: 1000, agents: 2, turns: 5 },
  { slots: 512, latencyMs: 4000, agents: 2, turns: 5 },
]) {
  const result = await benchmarkScheduler(setting);
  print(
    `| scheduler efficiency, ${result.slots} slots (${result.calls} calls of ${result.latencyMs} ms, critical path ${result.criticalPathCalls} calls; max in flight ${result.maxInFlight}) | ≥ 0.95 | ${result.efficiency.toFixed(3)} (ideal ${(result.idealMs / 1000).toFixed(1)} s, achieved ${(result.achievedMs / 1000).toFixed(1)} s) | ${(result.efficiency / 0.95).toFixed(2)} |`,
  );
}

// The prefix is measured on the paper's group (10 agents, 15 turns), where it matters for cost.
const prefix = await benchmarkScheduler({ slots: 8, latencyMs: 0, agents: 10, turns: 15 });
print(
  `| shared prompt prefix of consecutive calls of one agent, 10 agents x 15 turns (mock server's measure over ${prefix.calls} calls) | ≥ 90% | ${((prefix.prefixShare ?? 0) * 100).toFixed(1)}% (lowest single call ${((prefix.minimumPrefixShare ?? 0) * 100).toFixed(1)}%) | ${((prefix.prefixShare ?? 0) / 0.9).toFixed(2)} |`,
);

const lmm = benchmarkLmm();
print(
  `| LMM y ~ x + (1 + x \\| g), ${lmm.rows} rows, ${lmm.groups} groups (median of ${lmm.fits} fits) | < 50 ms | ${lmm.medianMs.toFixed(1)} ms | ${(50 / lmm.medianMs).toFixed(2)} |`,
);

const lexicon = benchmarkLexicon(8);
print(
  `| lexicon scoring, ${lexicon.megabytes.toFixed(1)} MB of unique utterances in ${lexicon.perLanguage.length} languages, one core | ≥ 20 MB/s | ${lexicon.megabytesPerSecond.toFixed(1)} MB/s (slowest: ${[
    ...lexicon.perLanguage,
  ]
    .sort((a, b) => a.megabytesPerSecond - b.megabytesPerSecond)
    .slice(0, 2)
    .map((language) => `${language.language} ${language.megabytesPerSecond.toFixed(1)}`)
    .join(', ')}) | ${(lexicon.megabytesPerSecond / 20).toFixed(2)} |`,
);

if (!quick) {
  const engine = await benchmarkEngine();
  print(
    `| four-study replication on the surrogate (${engine.runs} runs, ${engine.agentTurns.toLocaleString('en-US')} agent turns), simulated, scored, analysed, reported | < 60 s | ${engine.seconds.toFixed(1)} s (${engine.studies.map((study) => `${study.name} ${study.seconds.toFixed(1)} s`).join(', ')}) | ${(60 / engine.seconds).toFixed(2)} |`,
  );
}

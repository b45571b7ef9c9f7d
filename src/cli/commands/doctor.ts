import type { Command } from 'commander';
import { DOCTOR_EXIT, diagnoseRunFolder } from '../../runner/index.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check a run folder without changing it: store integrity, orphan events, incomplete turns, manifest/store agreement (exit 0 healthy, 4 problems found, 2 not a run folder)',
    )
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .action((directory: string) => {
      const report = diagnoseRunFolder(directory);
      const width = Math.max(...report.checks.map((check) => check.name.length));
      const lines = report.checks.map(
        (check) => `${check.ok ? 'ok     ' : 'PROBLEM'} ${check.name.padEnd(width)}  ${check.detail}`,
      );
      const problems = report.checks.filter((check) => !check.ok).length;
      lines.push(
        problems === 0
          ? `${directory}: healthy`
          : `${directory}: ${problems} problem(s); if the store is damaged, restore store.sqlite from a backup or start the folder over`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = problems === 0 ? DOCTOR_EXIT.healthy : DOCTOR_EXIT.problems;
    });
}

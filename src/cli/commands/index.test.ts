import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index.js';

describe('the command table', () => {
  it('lists each command once, with the summary its own module gives it', async () => {
    const names = COMMANDS.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of COMMANDS) {
      const program = new Command();
      (await entry.load())(program);
      const loaded = program.commands.find((command) => command.name() === entry.name);
      expect(loaded, entry.name).toBeDefined();
      expect(entry.summary, entry.name).toBe(loaded?.description());
    }
  });
});

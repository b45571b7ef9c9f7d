import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory } from './support/cli.js';

describe('backfire lexicon on researchers\u2019 own data', () => {
  it('scores JSON lines from stdin, one result per line in the single-text shape', () => {
    const input = ['{"text": "Together we will protect her."}', '', '{"text": "We must all obey together."}'].join(
      '\n',
    );
    const result = runCli(['lexicon', 'en', '--jsonl'], { input });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    const single = JSON.parse(runCli(['lexicon', 'en', 'Together we will protect her.']).stdout);
    expect(lines[0]).toEqual(single);
    expect(lines[0].counts).toMatchObject({ protective: 1, conformity: 1 });
    // The register rule: group words without protective speech are not conformity.
    expect(lines[1].counts).toMatchObject({ protective: 0, conformity: 0 });
  });

  it('refuses a bad JSON line with one message naming the line, and prints nothing', () => {
    const result = runCli(['lexicon', 'en', '--jsonl'], { input: '{"text": "fine"}\n{"txt": 3}\n' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/line 2/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('validates a lexicon against labelled lines: P/R/F1 with Wilson intervals and a confusion table', () => {
    const directory = temporaryDirectory('lexicon-validate');
    const data = join(directory, 'labelled.jsonl');
    writeFileSync(
      data,
      [
        { text: 'Together we will protect her.', labels: ['protective', 'conformity'] },
        { text: 'I refuse to sign.', labels: ['protective'] },
        { text: 'Pass the salt, please.', labels: [] },
        { text: 'Keep her warm with my blanket.', labels: ['protective'] },
      ]
        .map((item) => JSON.stringify(item))
        .join('\n'),
    );
    const json = runCli(['lexicon', 'validate', 'en', '--data', data, '--json']);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    const evaluation = JSON.parse(json.stdout);
    expect(evaluation.items).toBe(4);
    const protective = evaluation.categories.find((score: { category: string }) => score.category === 'protective');
    expect(protective.positives).toBe(3);
    expect(protective.truePositives + protective.falseNegatives).toBe(3);
    expect(protective.recallInterval.lower).toBeLessThan(protective.recall);
    expect(protective.recallInterval.upper).toBeGreaterThanOrEqual(protective.recall);
    const text = runCli(['lexicon', 'validate', 'en', '--data', data]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/TP \d+ FP \d+ FN \d+ TN \d+/);
    expect(text.stdout).toMatch(/exact label sets: \d\/4/);
  });

  it('says which rule made each match and, with --explain, which candidates were dropped and why', () => {
    const plain = JSON.parse(runCli(['lexicon', 'en', 'They said "undress", but I protect her.']).stdout);
    expect(plain.dropped).toBeUndefined();
    for (const match of plain.matches) expect(['term', 'stem', 'pattern', 'negated-harm']).toContain(match.rule);
    const explained = JSON.parse(
      runCli(['lexicon', 'en', '--explain', 'They said "undress", but I protect her.']).stdout,
    );
    expect(explained.matches).toEqual(plain.matches);
    expect(explained.dropped).toContainEqual(
      expect.objectContaining({ category: 'sexual', text: 'undress', reason: 'quotation' }),
    );

    const directory = temporaryDirectory('lexicon-validate-explain');
    const data = join(directory, 'labelled.jsonl');
    writeFileSync(
      data,
      [
        { text: 'I protect her.', labels: ['protective'] },
        { text: 'I protect her.', labels: [] },
      ]
        .map((item) => JSON.stringify(item))
        .join('\n'),
    );
    const json = JSON.parse(runCli(['lexicon', 'validate', 'en', '--data', data, '--json', '--explain']).stdout);
    expect(json.mistakes).toHaveLength(1);
    expect(json.mistakes[0]).toMatchObject({ line: 2, labels: [], predicted: ['protective'] });
    expect(json.mistakes[0].matches[0]).toMatchObject({ category: 'protective', rule: 'term' });
    const text = runCli(['lexicon', 'validate', 'en', '--data', data, '--explain']);
    expect(text.stdout).toMatch(/items with a wrong label set: 1/);
    expect(text.stdout).toMatch(/#2 labels \[\] predicted \[protective\]/);
  });

  it('names an unknown label, a binary file and a missing file clearly, exit 2', () => {
    const directory = temporaryDirectory('lexicon-validate-bad');
    const unknownLabel = join(directory, 'unknown.jsonl');
    writeFileSync(unknownLabel, '{"text": "hello", "labels": ["violent"]}\n');
    const first = runCli(['lexicon', 'validate', 'en', '--data', unknownLabel]);
    expect(first.status).toBe(2);
    expect(first.stderr).toMatch(/line 1: labels/);
    const binary = join(directory, 'binary.jsonl');
    writeFileSync(binary, Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x01, 0x02]));
    const second = runCli(['lexicon', 'validate', 'en', '--data', binary]);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(/binary/);
    expect(second.stderr.length).toBeLessThan(600);
    const third = runCli(['lexicon', 'validate', 'en', '--data', join(directory, 'absent.jsonl')]);
    expect(third.status).toBe(2);
    expect(third.stderr).toMatch(/cannot read/);
  });
});

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserInputError } from '../../contracts/index.js';
import { listLanguageTags, loadLanguagePack } from '../../languages/index.js';
import {
  type CompiledLexicon,
  compileLexicon,
  evaluateLexicon,
  formatEvaluationTable,
  type LexiconEvaluation,
  type LexiconExplanation,
} from '../../metrics/index.js';

/**
 * `backfire lexicon`: a pack's lexicon on researchers' own text.
 * - `lexicon <lang> [text]`: the matches in one text (argument or stdin), as JSON;
 * - `lexicon <lang> --jsonl`: one JSON object `{"text": ...}` per stdin line, one result per line
 *   (the single-text shape), so a corpus streams through without loading it whole;
 * - `lexicon validate <lang> --data labelled.jsonl`: precision, recall and F1 with Wilson 95%
 *   intervals and a confusion table against the researcher's own labels.
 * Every match says which rule made it (`rule`: term, stem, pattern, negated-harm; docs/lexicon-format.md);
 * `--explain` adds the candidates that were dropped and why (quotation, exclusion, sense, negation,
 * not-negated, register), and for `validate`, the items whose label set the lexicon got wrong.
 */
export function registerLexicon(program: Command): void {
  const lexicon = program
    .command('lexicon')
    .description(
      "match a language pack's lexicon against a text (argument or stdin) and print the matches as JSON; `lexicon validate` scores it against labelled data",
    )
    .argument('<language>', 'language tag, e.g. ja')
    .argument('[text]', 'text to match (default: read standard input)')
    .option('--jsonl', 'read JSON lines {"text": ...} from standard input and print one JSON result per line')
    .option('--explain', 'also list the candidate hits that were dropped, and why')
    .action((language: string, text: string | undefined, options: { jsonl?: boolean; explain?: boolean }) => {
      const explain = options.explain === true;
      const compiled = compileLexicon(loadLanguagePack(knownLanguage(language)));
      if (options.jsonl === true) {
        if (text !== undefined) {
          throw new UserInputError('--jsonl reads standard input; a text argument was given too', {
            path: '[text]',
            fix: 'drop the text argument, or drop --jsonl',
          });
        }
        const lines = readJsonLines(readTextInput(0, '<stdin>'), '<stdin>', TextLineSchema, '{"text": "..."}');
        // Every line is checked before anything is printed: no partial output on bad input.
        const output = lines.map((line) => JSON.stringify(matchResult(compiled, language, line.text, explain)));
        process.stdout.write(output.length > 0 ? `${output.join('\n')}\n` : '');
        return;
      }
      const input = text ?? readTextInput(0, '<stdin>');
      process.stdout.write(`${JSON.stringify(matchResult(compiled, language, input, explain), null, 2)}\n`);
    });

  lexicon
    .command('validate')
    .description(
      'score a pack\'s lexicon against labelled JSON lines {"text", "labels": [...]}: precision, recall, F1 with Wilson 95% intervals, and a confusion table',
    )
    .argument('<language>', 'language tag, e.g. ja')
    .requiredOption('--data <file>', 'JSON lines file, one {"text": "...", "labels": ["protective", ...]} per line')
    .option('--json', 'print JSON')
    .option('--explain', 'also show, for every item whose label set is wrong, the matches and the dropped candidates')
    .action((language: string, options: { data: string; json?: boolean; explain?: boolean }, command: Command) => {
      // `lexicon` has an --explain of its own, which commander gives the flag to when it is written here.
      const explain = options.explain === true || command.parent?.opts().explain === true;
      const pack = loadLanguagePack(knownLanguage(language));
      const categories = Object.keys(pack.lexicon.categories);
      const items = readJsonLines(
        readTextInput(options.data, options.data),
        options.data,
        labelledLineSchema(categories),
        '{"text": "...", "labels": ["protective"]}',
      );
      if (items.length === 0) {
        throw new UserInputError(`${options.data} holds no labelled line`, {
          path: options.data,
          fix: 'give at least one line {"text": "...", "labels": [...]}',
        });
      }
      const evaluation = evaluateLexicon(pack, items);
      const mistakes = explain ? explainMistakes(compileLexicon(pack), items) : null;
      if (options.json === true) {
        const output = mistakes === null ? evaluation : { ...evaluation, mistakes };
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${formatValidation(evaluation)}\n`);
      if (mistakes !== null) process.stdout.write(`${formatMistakes(mistakes)}\n`);
    });
}

function knownLanguage(language: string): string {
  const available = listLanguageTags();
  if (!available.includes(language)) {
    throw new UserInputError(`unknown language "${language}"`, {
      path: '<language>',
      fix: `use one of: ${available.join(', ')}`,
    });
  }
  return language;
}

function matchResult(lexicon: CompiledLexicon, language: string, text: string, explain: boolean) {
  const explanation = lexicon.explain(text);
  const counts: Record<string, number> = {};
  for (const category of lexicon.categories) counts[category] = 0;
  for (const match of explanation.matches) counts[match.category] = (counts[match.category] ?? 0) + 1;
  return {
    language,
    lexiconVersion: lexicon.version,
    matches: explanation.matches.map(({ category, term, text: matched, start, end, rule }) => ({
      category,
      term,
      text: matched,
      start,
      end,
      rule,
    })),
    counts,
    ...(explain
      ? {
          dropped: explanation.dropped.map(({ category, term, text: matched, start, end, rule, reason }) => ({
            category,
            term,
            text: matched,
            start,
            end,
            rule,
            reason,
          })),
        }
      : {}),
  };
}

interface Mistake {
  line: number;
  text: string;
  labels: string[];
  predicted: string[];
  matches: LexiconExplanation['matches'];
  dropped: LexiconExplanation['dropped'];
}

/** The items whose predicted label set differs from their labels, with what matched and what was dropped. */
function explainMistakes(lexicon: CompiledLexicon, items: readonly { text: string; labels: string[] }[]): Mistake[] {
  const mistakes: Mistake[] = [];
  items.forEach((item, index) => {
    const explanation = lexicon.explain(item.text);
    const predicted = [...new Set(explanation.matches.map((match) => match.category))].sort();
    const labels = [...new Set(item.labels)].sort();
    if (predicted.join(',') === labels.join(',')) return;
    mistakes.push({ line: index + 1, text: item.text, labels, predicted, ...explanation });
  });
  return mistakes;
}

function formatMistakes(mistakes: readonly Mistake[]): string {
  const lines = ['', `items with a wrong label set: ${mistakes.length} (item number among the labelled lines)`];
  for (const mistake of mistakes) {
    lines.push(
      `  #${mistake.line} labels [${mistake.labels.join(', ')}] predicted [${mistake.predicted.join(', ')}]: ${mistake.text}`,
    );
    for (const match of mistake.matches)
      lines.push(`      + ${match.category} "${match.text}" (${match.rule} ${match.term})`);
    for (const drop of mistake.dropped) {
      lines.push(`      - ${drop.category} "${drop.text}" (${drop.rule} ${drop.term}) dropped: ${drop.reason}`);
    }
  }
  return lines.join('\n');
}

/** Reads a file (or descriptor 0) as UTF-8 text; a file that is not text is named as binary. */
function readTextInput(source: string | number, name: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(source);
  } catch (error) {
    throw new UserInputError(`cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, {
      path: name,
      fix: 'give a readable JSON lines file',
    });
  }
  const text = bytes.toString('utf8');
  if (bytes.includes(0) || text.includes('\uFFFD')) {
    throw new UserInputError(`${name} is a binary file, not UTF-8 text`, {
      path: name,
      fix: 'give a UTF-8 text file with one JSON object per line',
    });
  }
  return text;
}

const TextLineSchema = z.object({ text: z.string() }).passthrough();

function labelledLineSchema(categories: readonly string[]) {
  return z
    .object({
      text: z.string().min(1),
      labels: z.array(z.enum(categories as [string, ...string[]])),
    })
    .passthrough();
}

/** Parses every non-blank line through the schema; the first bad line is one clear error. */
function readJsonLines<T>(text: string, name: string, schema: z.ZodType<T>, shape: string): T[] {
  const rows: T[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const where = `${name}, line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UserInputError(`${where} is not valid JSON`, {
        path: where,
        fix: `write one object per line: ${shape}`,
      });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue === undefined || issue.path.length === 0 ? 'the line' : issue.path.join('.');
      throw new UserInputError(`${where}: ${field} ${issue?.message ?? 'is invalid'}`, {
        path: `${where}: ${field}`,
        fix: `write one object per line: ${shape}`,
      });
    }
    rows.push(parsed.data);
  }
  return rows;
}

function formatValidation(evaluation: LexiconEvaluation): string {
  const interval = (value: { lower: number; upper: number } | null): string =>
    value === null ? '' : ` [${value.lower.toFixed(2)}, ${value.upper.toFixed(2)}]`;
  const lines = [
    `lexicon ${evaluation.language} ${evaluation.lexiconVersion} on ${evaluation.items} labelled items`,
    `exact label sets: ${evaluation.exactLabelSets}/${evaluation.items}; label accuracy: ${evaluation.labelAccuracy === null ? '-' : evaluation.labelAccuracy.toFixed(3)}`,
    '',
    formatEvaluationTable([evaluation]),
    '',
    'Wilson 95% intervals, and the confusion table (TP FP FN TN):',
  ];
  for (const score of evaluation.categories) {
    lines.push(
      `  ${score.category.padEnd(14)} P ${score.precision === null ? '-' : score.precision.toFixed(3)}${interval(score.precisionInterval)}  R ${score.recall === null ? '-' : score.recall.toFixed(3)}${interval(score.recallInterval)}  TP ${score.truePositives} FP ${score.falsePositives} FN ${score.falseNegatives} TN ${score.trueNegatives}`,
    );
  }
  return lines.join('\n');
}

import type { FigureOutput } from './figures.js';
import type { Sentence } from './sentences.js';

/**
 * The report's document model: a list of blocks that the HTML and Markdown writers render. Kept
 * apart from document.ts so that section builders in other files can use it without importing the
 * document builder that includes them.
 */

export type Alignment = 'left' | 'right';

export type Block =
  | { type: 'heading'; level: 1 | 2 | 3; content: Sentence; anchor: string; badge?: 'confirmatory' | 'exploratory' }
  | { type: 'paragraph'; content: Sentence; tone?: 'muted' | 'warning' }
  | { type: 'banner'; content: Sentence }
  | { type: 'list'; items: Sentence[]; className?: string }
  | {
      type: 'table';
      header: Sentence[];
      rows: Sentence[][];
      align: Alignment[];
      footer?: Sentence[];
      caption?: Sentence;
    }
  | { type: 'figure'; figure: FigureOutput }
  | { type: 'details'; summary: Sentence; code: string };

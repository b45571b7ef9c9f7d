import type { ChatMessage, LanguagePack, Trajectories } from '../contracts/index.js';
import type { RunData } from './run-data.js';
import type { SearchIndex } from './search-index.js';

/** What the composition root may hand the viewer: things the viewer's layer cannot build itself. */
export interface ViewerOptions {
  /**
   * The messages an agent's model call received. Calls store only a hash of their request; the
   * engine rebuilds prompts from transcript events (they are append-only and event-derived), so the
   * CLI passes that reconstruction in. Absent: the call page says the messages are not available.
   */
  callMessages?: (call: { runId: string; turn: number; agentId: string }) => ChatMessage[] | undefined;
  /** The report's trajectory figure (SVG markup, escaped by the report), drawn on the trajectories page. */
  trajectoryFigure?: (trajectories: Trajectories, metric: string, languages: readonly string[]) => string;
  /** The language packs the run simulated with, by tag (persona roles, lexicon category names). */
  packs?: ReadonlyMap<string, LanguagePack>;
}

export interface PageContext {
  data: RunData;
  search: SearchIndex;
  options: ViewerOptions;
}

/**
 * Viewer: `backfire view`, a local read-only web application over one run folder (study, cells,
 * transcripts, agents, model calls, trajectories, search). Imports contracts and store only; what it
 * cannot build itself (prompt reconstruction, the report's figure, the packs) the CLI passes in.
 */
export type { ViewerOptions } from './context.js';
export { escapeHtml } from './html.js';
export { SEARCH_INDEX_FILE } from './search-index.js';
export { CONTENT_SECURITY_POLICY, isLoopbackHost, startViewer, type ViewerServer } from './server.js';

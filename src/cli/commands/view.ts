import { join } from 'node:path';
import type { Command } from 'commander';
import {
  type ChatMessage,
  type LanguagePack,
  type Study,
  StudySchema,
  type TranscriptEvent,
  UserInputError,
} from '../../contracts/index.js';
import { AgentMemory, renderSystemPrompt } from '../../engine/index.js';
import { languagesDirectory, loadLanguagePack } from '../../languages/index.js';
import { trajectoryFigure } from '../../report/index.js';
import { packSnapshot, readManifest, STORE_FILE } from '../../runner/index.js';
import { RunStore } from '../../store/index.js';
import { isLoopbackHost, startViewer, type ViewerOptions } from '../../viewer/index.js';
import { parseInteger } from '../options.js';

/**
 * `backfire view <run-folder>`: the local web viewer. This file composes what the viewer's layer may
 * not import: the packs the run simulated with, the engine's prompt code (to show what an agent saw),
 * and the report's trajectory figure.
 */
export function registerView(program: Command): void {
  program
    .command('view')
    .description('open a local web viewer on a run folder (read-only; follows a running simulation)')
    .argument('<run-folder>', 'e.g. runs/study1-1a2b3c4d')
    .option('--port <n>', 'port to listen on (default: a free port)', parseInteger('--port', 0, 65_535), 0)
    .option(
      '--host <address>',
      'address to bind (default 127.0.0.1; anything else exposes the run to the network)',
      '127.0.0.1',
    )
    .action(async (directory: string, options: { port: number; host: string }) => {
      const port = options.port;
      if (!isLoopbackHost(options.host)) {
        process.stderr.write(
          `warning: --host ${options.host} exposes this run's transcripts to every machine that can reach this address; the viewer has no authentication\n`,
        );
      }
      const server = await startViewer({
        directory,
        host: options.host,
        port,
        options: viewerOptions(directory),
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
          throw new UserInputError(`cannot listen on ${options.host}:${port} (${error.code})`, {
            file: 'command line',
            path: error.code === 'EADDRNOTAVAIL' ? '--host' : '--port',
            fix:
              error.code === 'EADDRNOTAVAIL'
                ? 'give an address of this machine, or leave --host out for 127.0.0.1'
                : 'choose another --port, or leave it out for a free port',
          });
        }
        throw error;
      });
      process.stdout.write(`backfire view: ${server.url}\n`);
      process.stderr.write(`(search index: ${server.searchIndexLocation}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** Packs, prompt reconstruction and the figure, when the folder's manifest names a valid study. */
export function viewerOptions(directory: string): ViewerOptions {
  const options: ViewerOptions = { trajectoryFigure };
  const manifest = readManifest(directory);
  const parsed = StudySchema.safeParse(manifest?.study);
  if (!parsed.success) return options;
  const study = parsed.data;
  const packDirectory = packSnapshot(directory, 'simulated', study.languages) ?? languagesDirectory();
  const packs = new Map<string, LanguagePack>();
  for (const tag of study.languages) {
    try {
      packs.set(tag, loadLanguagePack(tag, { directory: packDirectory }));
    } catch {
      // A pack that no longer loads only costs the persona roles and the prompts of its runs.
    }
  }
  let store: RunStore | undefined;
  const callMessages: ViewerOptions['callMessages'] = (call) => {
    store ??= RunStore.open(join(directory, STORE_FILE), { create: false, readonly: true });
    const events = store.loadEvents(call.runId);
    const start = events[0];
    if (start?.type !== 'run-start') return undefined;
    const pack = packs.get(start.language);
    if (pack === undefined) return undefined;
    return messagesOfCall(study, pack, events, call.turn, call.agentId);
  };
  return { ...options, packs, callMessages };
}

const OUTCOMES = new Set(['action', 'parse-error', 'call-error']);

/**
 * Replays a run's events into the agents' memories the way the engine does (src/engine/simulation.ts,
 * feedTurn) and returns what `agentId` was sent at `turn`: the messages just before its own outcome
 * (sequential turns), or after the turn's shared events (simultaneous turns).
 */
export function messagesOfCall(
  study: Study,
  pack: LanguagePack,
  events: readonly TranscriptEvent[],
  turn: number,
  agentId: string,
): ChatMessage[] | undefined {
  const start = events[0];
  if (start?.type !== 'run-start') return undefined;
  const personas = new Map(pack.personas.map((persona) => [persona.id, persona]));
  const identities = start.agents.flatMap((agent) => {
    const persona = personas.get(agent.personaId);
    return persona === undefined ? [] : [{ id: agent.id, persona, interventions: agent.interventions }];
  });
  const namesById = new Map(start.agents.map((agent) => [agent.id, agent.name]));
  const identity = identities.find((candidate) => candidate.id === agentId);
  if (identity === undefined) return undefined;
  const memory = new AgentMemory(
    pack,
    agentId,
    renderSystemPrompt(
      pack,
      identity,
      identities.filter((other) => other.id !== agentId),
      study.turns,
    ),
    namesById,
    study.turns,
    study.memory.window,
  );
  const simultaneous = study.turnPolicy === 'simultaneous';
  let turnEvents: TranscriptEvent[] = [];
  const flush = (): ChatMessage[] | undefined => {
    const current = turnEvents[0]?.turn;
    if (current === turn) {
      if (simultaneous) {
        for (const event of turnEvents) if (!OUTCOMES.has(event.type)) memory.observe(event);
        return memory.nextMessages();
      }
      for (const event of turnEvents) {
        if (OUTCOMES.has(event.type) && 'agent' in event && event.agent === agentId) return memory.nextMessages();
        memory.observe(event);
      }
      return undefined;
    }
    if (!simultaneous) {
      for (const event of turnEvents) memory.observe(event);
    } else {
      const outcomes = turnEvents.filter((event) => OUTCOMES.has(event.type));
      for (const event of turnEvents) {
        if (!OUTCOMES.has(event.type) && event.type !== 'turn-end' && event.type !== 'run-end') memory.observe(event);
      }
      for (const event of outcomes) if ('agent' in event && event.agent === agentId) memory.observe(event);
      for (const event of outcomes) if ('agent' in event && event.agent !== agentId) memory.observe(event);
    }
    return undefined;
  };
  for (const event of events) {
    if (turnEvents.length > 0 && turnEvents[0]!.turn !== event.turn) {
      const found = flush();
      if (found !== undefined || turnEvents[0]!.turn === turn) return found;
      turnEvents = [];
    }
    turnEvents.push(event);
  }
  return turnEvents.length > 0 ? flush() : undefined;
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tool's version, read from package.json without loading any other module of backfire:
 * `backfire --version` must start about as fast as Node itself (the runner's `toolVersion` pulls in
 * zod and the contracts).
 */
export function packageVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const file = join(directory, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    directory = dirname(directory);
  }
  return 'unknown';
}

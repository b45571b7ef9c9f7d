import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The README's first command is `npm ci && npx backfire run ...`: npm ci builds dist/ (prepare), and
// npx then executes dist/cli/main.js itself, so the file must carry the executable bit.
const ROOT = resolve(import.meta.dirname, '..');
const ENTRY = join(ROOT, 'dist', 'cli', 'main.js');
const built = existsSync(ENTRY);

describe.skipIf(!built)('the built CLI (dist/, made by npm ci)', () => {
  it('is executable and runs', () => {
    expect(statSync(ENTRY).mode & 0o111).not.toBe(0);
    const version = execFileSync(ENTRY, ['--version'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

if (!built) {
  process.stdout.write('skipped: dist/ is not built (npm ci builds it; or run npm run build)\n');
}

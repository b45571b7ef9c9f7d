// Copies non-TypeScript assets (language-pack data, SQL migrations, viewer files) from src/ to dist/
// so the built package can find them beside its compiled modules, and makes the CLI entry
// executable: tsc writes it without the bit, and `npx backfire` in a fresh clone runs the file itself
// (npm does not link a project's own bin into its node_modules/.bin).
import { chmodSync, cpSync, readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';

const ASSET_EXTENSIONS = ['.json', '.yaml', '.yml', '.sql', '.txt', '.css', '.html', '.svg'];
const sourceRoot = 'src';
const outputRoot = 'dist';

function walk(directory) {
  for (const entry of readdirSync(directory)) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (ASSET_EXTENSIONS.some((extension) => path.endsWith(extension))) {
      const target = join(outputRoot, relative(sourceRoot, path));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(path, target);
    }
  }
}

walk(sourceRoot);
chmodSync(join(outputRoot, 'cli', 'main.js'), 0o755);

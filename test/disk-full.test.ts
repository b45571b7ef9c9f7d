import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, temporaryDirectory } from './support/cli.js';
import { looksLikeACrash, runInProcess } from './support/in-process-cli.js';

/**
 * A disk that fills up mid-run: the run stops cleanly (exit 75, one message), keeps every committed
 * turn, leaves no half-written file, and the same command resumes once space is back, ending with
 * results byte-identical to an uninterrupted run. Tested on a small tmpfs this test mounts; where
 * mounting is impossible (not root, no CAP_SYS_ADMIN) the test says so and is skipped.
 */

const STUDY = join(REPO_ROOT, 'studies', 'demo.yaml');
/** Room left on the small file system: enough to start (manifest, pack copies) but not to finish. */
const HEADROOM_BYTES = 700 * 1024;

function mountSmallFileSystem(): { mountPoint: string | null; reason: string } {
  if (process.getuid?.() !== 0)
    return { mountPoint: null, reason: 'not running as root, so no file system can be mounted' };
  const mountPoint = mkdtempSync(join(tmpdir(), 'backfire-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'pipe' });
    return { mountPoint, reason: '' };
  } catch (error) {
    rmSync(mountPoint, { recursive: true, force: true });
    return { mountPoint: null, reason: `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}` };
  }
}

const { mountPoint, reason } = mountSmallFileSystem();
if (mountPoint === null) console.warn(`disk-full test skipped: ${reason}`);

afterAll(() => {
  if (mountPoint === null) return;
  execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(mountPoint === null)('a disk that fills up during a run (tmpfs of 8 MB)', () => {
  it('stops with exit 75 keeping the committed turns, and resumes to the same results once space is back', async () => {
    const reference = join(temporaryDirectory('disk-reference'), 'run');
    const uninterrupted = await runInProcess(['run', STUDY, '--out', reference, '--quiet']);
    expect(uninterrupted.status, uninterrupted.stderr).toBe(0);

    const root = mountPoint!;
    const filler = join(root, 'filler');
    const free = (() => {
      const stats = statfsSync(root);
      return stats.bavail * stats.bsize;
    })();
    writeFileSync(filler, Buffer.alloc(free - HEADROOM_BYTES));
    const out = join(root, 'run');
    const full = await runInProcess(['run', STUDY, '--out', out, '--quiet']);
    expect(full.status, full.stderr).toBe(75);
    expect(looksLikeACrash(full.stderr), full.stderr).toBe(false);
    expect(full.stderr).toMatch(/^error: the disk holding .* is full: stopped; every committed turn is kept/);
    expect(full.stderr).toContain('fix: free some space, then run the same command again to resume');
    expect(readdirSync(out).filter((name) => name.includes('.tmp-'))).toEqual([]);

    const doctor = await runInProcess(['doctor', out]);
    expect(doctor.status, doctor.stdout).toBe(0);
    const progress = /in the store \(([^)]*)\)/.exec(doctor.stdout)?.[1] ?? '';
    expect(progress, 'some turns were committed before the disk filled').toMatch(/\d+ (completed|running)/);
    expect(progress).toMatch(/\d+ pending/);

    rmSync(filler);
    const resumed = await runInProcess(['run', STUDY, '--out', out, '--quiet']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readFileSync(join(out, 'results.json'))).toEqual(readFileSync(join(reference, 'results.json')));
  });
});

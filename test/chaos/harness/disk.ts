// A real disk that fills up: a small tmpfs mounted for the test (root only), holding the browser
// profile. A quota set over CDP is another code path in Chromium than ENOSPC from the kernel;
// only a real full disk shows what LevelDB and the page do when a write finds no room.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  readonly dir: string;
  /** Writes a filler file until the disk refuses (ENOSPC); returns the bytes it took. */
  fill: () => number;
  /** Deletes the filler: the space is back. */
  free: () => void;
  /** Unmounts (lazily, so a browser still holding files cannot stop it) and removes the mount point. */
  unmount: () => void;
}

export function mountSmallDisk(sizeMiB: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'cartlog-chaos-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        // Big writes first, then ever smaller ones, so the last free page goes too.
        for (let chunk = 1 << 20; chunk >= 512; chunk >>= 1) {
          const zeros = Buffer.alloc(chunk);
          for (;;) {
            try {
              written += writeSync(fd, zeros);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
              break;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free: () => rmSync(filler, { force: true }),
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmdirSync(dir);
    },
  };
}

/** Free bytes on the disk holding `dir` now. */
export function freeBytes(dir: string): number {
  return Number(execFileSync('df', ['--output=avail', '-B1', dir], { encoding: 'utf8' }).split('\n')[1]);
}

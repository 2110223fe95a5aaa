// Test and benchmark footage for the lobby analytics, taken from a Debian
// package rather than committed: OpenCV's sample clip `vtest.avi` (people
// walking across a concourse, 768×576, 10 fps, 79.5 s; Apache-2.0/BSD-3-Clause,
// shipped in Debian's `opencv-doc`). Uses the installed file when the package
// is installed, else fetches the .deb with `apt-get download` and unpacks just
// that file. Idempotent; checks the SHA-256.
//
//   npx tsx scripts/lobby-assets.ts      → prints the path of var/lobby/vtest.avi
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { varDir } from '#common/paths';

export const VTEST_SHA256 = '45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf';
const INSTALLED = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const IN_DEB = 'usr/share/doc/opencv-doc/examples/data/vtest.avi';

export const lobbyAssetDir = path.join(varDir, 'lobby');

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Path of a verified copy of vtest.avi, fetching it once if needed. */
export function ensureVtest(): string {
  const target = path.join(lobbyAssetDir, 'vtest.avi');
  if (existsSync(target) && sha256(target) === VTEST_SHA256) return target;
  mkdirSync(lobbyAssetDir, { recursive: true });
  if (existsSync(INSTALLED) && sha256(INSTALLED) === VTEST_SHA256) {
    copyFileSync(INSTALLED, target);
    return target;
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lobby-assets-'));
  try {
    // apt drops privileges to _apt for downloads: give it a folder it may write.
    execFileSync('chmod', ['777', tmp]);
    execFileSync('apt-get', ['download', 'opencv-doc'], { cwd: tmp, stdio: ['ignore', 'ignore', 'pipe'] });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download opencv-doc produced no .deb');
    execFileSync('dpkg-deb', ['-x', path.join(tmp, deb), path.join(tmp, 'x')]);
    copyFileSync(path.join(tmp, 'x', IN_DEB), target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const got = sha256(target);
  if (got !== VTEST_SHA256) throw new Error(`vtest.avi checksum mismatch: ${got}`);
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(ensureVtest());
}

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

/**
 * An empty PostgreSQL cluster as PGlite's initdb leaves it, shut down cleanly (a tar.gz of its directory, ~4 MB),
 * from which every new embedded database starts. PGlite would otherwise run initdb at the first opening of a data
 * directory: a second database instance and initdb's own WebAssembly beside the first, ~630 MB for a few seconds
 * (it ran in a child process of its own for that: 595–640 MB). Made by `npm run pglite-template`
 * (src/cli/pglite-template.ts).
 */
export const PGLITE_TEMPLATE = join(projectRoot(), 'assets', 'pglite', 'empty-cluster.tar.gz');

/**
 * Unpacks the template into `directory` (which must not hold a cluster: no PG_VERSION), in a short-lived child
 * process: unpacking leaves ~20–25 MB of buffers in the unpacking process that the allocator keeps, which the bot
 * or the CLI would then carry (the CLI's peak in an import of 10,000 files rose by as much). Unpacked beside the
 * directory first and renamed into place, so a start that dies halfway leaves no half cluster that the next start
 * would take for a database. The caller holds the data directory's lock.
 */
export async function createClusterFromTemplate(directory: string, template = PGLITE_TEMPLATE): Promise<void> {
  const partial = `${directory}.partial`;
  rmSync(partial, { recursive: true, force: true });
  try {
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    await unpackInChildProcess(template, partial);
    // Without PG_VERSION what is there is no cluster (an initialisation that failed, by an older version).
    rmSync(directory, { recursive: true, force: true });
    renameSync(partial, directory);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`could not create the embedded database in ${directory} from ${template}: ${(error as Error).message}`);
  }
}

/**
 * node-tar, streaming 64 KB of the archive at a time (read whole, the 4 MB archive would be inflated into 40 MB
 * of buffers at once). A name from the root ("/base/1/1259", as PGlite's own dumpDataDir writes them) is taken
 * relative to the target, which tar says (TAR_ENTRY_INFO); any other warning (an entry it could not write, a
 * damaged archive) fails, as does an error.
 */
const UNPACK_SCRIPT = `
try {
  const [{ extract }, template, target] = [await import(process.argv[1]), process.argv[2], process.argv[3]];
  const problems = [];
  await extract({ file: template, cwd: target, maxReadSize: 65536, onwarn: (code, message) => {
    if (code !== 'TAR_ENTRY_INFO') problems.push(code + ': ' + message);
  } });
  if (problems.length > 0) throw new Error(problems.slice(0, 3).join('; '));
} catch (error) {
  process.stderr.write(String(error?.message ?? error));
  process.exitCode = 1;
}`;

function unpackInChildProcess(template: string, target: string): Promise<void> {
  const args = ['--input-type=module', '--eval', UNPACK_SCRIPT, import.meta.resolve('tar'), template, target];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 120_000 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve();
    });
  });
}

/** The template as PGlite's `loadDataDir` takes it, for a database in memory (no directory to unpack into). */
export function templateArchive(template = PGLITE_TEMPLATE): Blob {
  try {
    return new Blob([readFileSync(template)]);
  } catch (error) {
    throw new Error(`could not read the embedded database's template ${template}: ${(error as Error).message}`);
  }
}

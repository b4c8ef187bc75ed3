/**
 * `npm run pglite-template`: writes the empty PostgreSQL cluster from which every new embedded database starts
 * (assets/pglite/empty-cluster.tar.gz, committed). Run it after an upgrade of @electric-sql/pglite that changes
 * PostgreSQL's major version: `test/db/new-embedded-database.test.ts` fails until then, since PGlite refuses
 * data files of another major. PGlite's own initdb, once, here: two WebAssembly instances and ~630 MB for a few
 * seconds, which no start of the bot or the lessons CLI pays any more (src/db/pglite-template.ts).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { create } from 'tar';
import { PGLITE_SHARED_BUFFERS_MB } from '../db/database.js';
import { PGLITE_TEMPLATE } from '../db/pglite-template.js';

// initdb writes the shared buffers it ran with into postgresql.conf: the size every opening sets anyway.
const sharedBuffers = ['-c', `shared_buffers=${PGLITE_SHARED_BUFFERS_MB}MB`];
const directory = mkdtempSync(join(tmpdir(), 'newsdesk-pglite-template-'));
try {
  const database = await PGlite.create(directory, { initDbStartParams: sharedBuffers, startParams: [...PGlite.defaultStartParams, ...sharedBuffers] });
  const version = (await database.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  // Closed, so the cluster is shut down cleanly: a database unpacked from it starts without crash recovery
  // (PGlite's dumpDataDir archives a running cluster, whose every copy would recover at its first start).
  await database.close();
  mkdirSync(dirname(PGLITE_TEMPLATE), { recursive: true });
  // Names relative to the cluster's directory, no owner or device: what both node-tar (a new directory) and
  // PGlite's loadDataDir (a database in memory) unpack.
  await create({ file: PGLITE_TEMPLATE, cwd: directory, gzip: { level: 9 }, portable: true }, readdirSync(directory).sort());
  console.log(`wrote ${PGLITE_TEMPLATE}: PostgreSQL ${version}, ${statSync(PGLITE_TEMPLATE).size} bytes`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

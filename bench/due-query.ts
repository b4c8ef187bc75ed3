/**
 * How long the delivery tick's one query takes with many servers: `npm run bench:due [-- servers]`.
 * Uses a scratch PostgreSQL database when TEST_DATABASE_URL is set, else an in-memory PGlite.
 * Prints the median and spread of repeated runs; numbers depend on the machine, compare within one run.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { dueSchedules } from '../src/db/schedules.js';
import { createScratchPostgres } from '../test/support/databases.js';

const servers = Number(process.argv[2] ?? 10_000);
const runs = 15;
const zones = ['UTC', 'Asia/Tokyo', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu'];

async function open(): Promise<{ database: Database; kind: string; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase({ dataDir: 'memory://' });
    return { database, kind: 'PGlite (in memory)', cleanup: () => database.close() };
  }
  const scratch = await createScratchPostgres(url);
  const database = await openDatabase({ url: scratch.url, dataDir: 'unused' });
  return { database, kind: 'PostgreSQL', cleanup: async () => { await database.close(); await scratch.drop(); } };
}

const { database, kind, cleanup } = await open();
try {
  const { db } = database;
  await migrateToLatest(db);
  // Spread post times over the day, every zone, a few paused: the shape of a real fleet.
  await sql`
    insert into schedules (guild_id, channel_id, post_time, timezone, paused, effective_from)
    select (100000000000000000 + i)::text, '1', make_time((i * 7) % 24, (i * 13) % 60, 0),
           (${sql.val(zones)}::text[])[1 + i % ${zones.length}], i % 50 = 0, '2020-01-01'
    from generate_series(1, ${servers}) as i`.execute(db);
  await sql`analyze schedules`.execute(db);
  const timings: number[] = [];
  let due = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    due = (await dueSchedules(db, new Date(), { staleClaimMs: 60_000, limit: servers })).length;
    timings.push(performance.now() - started);
  }
  // What a tick runs: pages of 1,000 servers by id until a page is short (DeliveryScheduler.dueHere).
  const paged: number[] = [];
  let pages = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    pages = 0;
    let after: string | undefined;
    for (;;) {
      const page = await dueSchedules(db, new Date(), { staleClaimMs: 60_000, limit: 1_000, after });
      pages += 1;
      if (page.length < 1_000) break;
      after = page.at(-1)!.schedule.guildId;
    }
    paged.push(performance.now() - started);
  }
  const summary = (values: number[]) => {
    values.sort((a, b) => a - b);
    const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!.toFixed(1);
    return `median ${at(0.5)} ms (min ${at(0)} ms, max ${at(1)} ms)`;
  };
  console.log(`${kind}: ${servers} schedules, ${due} due now; one due query over ${runs} runs: ${summary(timings)}`);
  console.log(`${kind}: the same in pages of 1,000 (${pages} pages, as a tick reads them): ${summary(paged)}`);
} finally {
  await cleanup();
}

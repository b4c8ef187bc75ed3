/**
 * What the commands benchmark adds to a generated library: servers whose members have a reading history
 * (reading events, and through the triggers their lesson_readers rows and totals), two of them with a
 * daily schedule and a year of posts. Written into the library database once and kept: the library's own
 * 2 reader rows per lesson (one server) plus these give well over 200,000 reader rows in several servers.
 */
import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { saveSchedule } from '../src/db/schedules.js';
import type { DB } from '../src/db/schema.js';
import { lexiconVersion } from '../src/vocabulary/version.js';
import { prng, type GeneratedLibrary } from './library-generator.js';

/** The servers interactions come from: each with a text channel of a fixed id (the schedules name it). */
export const COMMAND_GUILDS = [0, 1, 2, 3].map((i) => ({
  id: String(100_000_000_000_000_011n + BigInt(i)),
  channelId: String(110_000_000_000_000_011n + BigInt(i)),
  name: `Commands bench ${i + 1}`,
}));
export const MEMBERS_PER_GUILD = 250;
/** Reading events per server (each also a lesson_readers row unless the member read that lesson before). */
const EVENTS_PER_GUILD = 30_000;
/** Days of daily posts behind the scheduled servers. */
const POSTED_DAYS = 365;

export function memberId(guild: number, member: number): string {
  return String(500_000_000_000_000_000n + BigInt(guild * 10_000 + member));
}

export interface ReaderCounts {
  readonly lesson_readers: number;
  readonly reading_events: number;
  /** Servers with reader rows (the library's own one and the benchmark's). */
  readonly guilds: number;
  readonly members: number;
}

/**
 * Reading histories for COMMAND_GUILDS (skipped when already there), then schedules: the first server has
 * posted today (its "today" is the delivered lesson), the second has not yet (its "today" is the head of its
 * backlog), the others have no schedule (the newest lesson). Post times are a minute ago, so nothing falls due
 * while the benchmark runs (a changed time takes effect from now on).
 */
export async function prepareCommandServers(
  db: Kysely<DB>,
  library: GeneratedLibrary,
  log: (message: string) => void,
  /** Leave every lesson without a vocabulary (a library written without the lessons CLI): the bot's catch-up job then runs during the load. */
  withoutVocabulary = false,
): Promise<void> {
  const guildIds = COMMAND_GUILDS.map((g) => g.id);
  const existing = await sql<{ n: number }>`
    select count(*)::int as n from reading_events where guild_id = any(${guildIds}::text[])`.execute(db);
  if ((existing.rows[0]?.n ?? 0) < EVENTS_PER_GUILD * COMMAND_GUILDS.length) {
    const started = Date.now();
    log(`adding ${EVENTS_PER_GUILD * COMMAND_GUILDS.length} reading events in ${COMMAND_GUILDS.length} servers`);
    const random = prng(4242);
    const count = library.ids.length;
    const batch = 10_000;
    const now = Date.now();
    for (const [g, guild] of COMMAND_GUILDS.entries()) {
      for (let start = 0; start < EVENTS_PER_GUILD; start += batch) {
        const rows = Math.min(batch, EVENTS_PER_GUILD - start);
        const lessonIds: string[] = [];
        const users: string[] = [];
        const kinds: string[] = [];
        const times: string[] = [];
        for (let i = 0; i < rows; i++) {
          // Half recent lessons (the newest 2,000 by article date), half anywhere in the library.
          const index = random() < 0.5 ? count - 1 - Math.floor(random() * Math.min(2000, count)) : Math.floor(random() * count);
          lessonIds.push(library.ids[index] as string);
          // A few members read a lot, most a little.
          users.push(memberId(g, Math.floor(MEMBERS_PER_GUILD * random() ** 2)));
          const roll = random();
          kinds.push(roll < 0.45 ? 'dialogue' : roll < 0.85 ? 'article' : 'finished');
          times.push(new Date(now - Math.floor(random() * 365 * 86_400_000)).toISOString());
        }
        await sql`
          insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at)
          select lesson_id, ${guild.id}, user_id, kind, occurred_at
          from unnest(${lessonIds}::uuid[], ${users}::text[], ${kinds}::text[], ${times}::timestamptz[])
            as t(lesson_id, user_id, kind, occurred_at)`.execute(db);
      }
      log(`  ${guild.name}: ${EVENTS_PER_GUILD} reading events (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await sql`analyze lesson_readers`.execute(db);
    await sql`analyze reading_events`.execute(db);
  }

  // A library that was imported has every lesson's vocabulary (computed at import). The generator writes
  // none, and the bot's start-up catch-up would then spend the whole benchmark computing 100,000 of them in
  // its worker thread, a core the load never gets. Levels are stored instead (what cards show); the words
  // themselves are not needed by the commands measured.
  if (withoutVocabulary) {
    const removed = await sql`delete from lesson_vocabularies`.execute(db);
    log(`removed ${removed.numAffectedRows ?? 0} vocabularies: the bot's catch-up job computes them during the load`);
    return prepareSchedules(db, library);
  }
  const missing = await sql<{ n: number }>`
    insert into lesson_vocabularies (lesson_id, content_hash, lexicon_version, level, outside_2k, outside_5k, counted_words)
    select id, content_hash, ${lexiconVersion()}, (array['A2', 'B1', 'B2', 'C1'])[1 + abs(hashtext(id::text)) % 4], 0.2, 0.1, article_words
    from lessons
    on conflict (lesson_id) do nothing`.execute(db);
  if (Number(missing.numAffectedRows ?? 0) > 0) log(`stored a level for ${missing.numAffectedRows} lessons without a vocabulary`);
  await prepareSchedules(db, library);
}

async function prepareSchedules(db: Kysely<DB>, library: GeneratedLibrary): Promise<void> {

  // A year of daily posts in the two scheduled servers, oldest lessons first (as the backlog plays).
  const today = DateTime.utc().toISODate()!;
  const postTime = DateTime.utc().minus({ minutes: 1 }).toFormat('HH:mm');
  for (const [g, guild] of COMMAND_GUILDS.slice(0, 2).entries()) {
    await saveSchedule(db, { guildId: guild.id, channelId: guild.channelId, postTime, timeZone: 'UTC', roleId: null, createThread: false }, new Date());
    const days = Array.from({ length: POSTED_DAYS }, (_, i) => i);
    await sql`
      insert into deliveries (guild_id, local_date, sequence, lesson_id, channel_id, status, nonce, claimed_by, claimed_at, sent_at, message_id)
      select ${guild.id}, (${today}::date - (${POSTED_DAYS} - d)), 0, lesson_id, ${guild.channelId}, 'sent', 'bench-' || d, 'bench', now(), now(), '1'
      from unnest(${days}::int[], ${days.map((d) => library.ids[d] as string)}::uuid[]) as t(d, lesson_id)
      on conflict do nothing`.execute(db);
    if (g === 0) {
      // The first server's post of today went out (the next lesson of its backlog).
      await sql`
        insert into deliveries (guild_id, local_date, sequence, lesson_id, channel_id, status, nonce, claimed_by, claimed_at, sent_at, message_id)
        values (${guild.id}, ${today}::date, 0, ${library.ids[POSTED_DAYS] as string}::uuid, ${guild.channelId}, 'sent', 'bench-today', 'bench', now(), now(), '1')
        on conflict do nothing`.execute(db);
    }
  }
}

export async function readerCounts(db: Kysely<DB>): Promise<ReaderCounts> {
  const result = await sql<ReaderCounts>`
    select (select count(*)::int from lesson_readers) as lesson_readers,
           (select count(*)::int from reading_events) as reading_events,
           (select count(distinct guild_id)::int from member_reading_totals) as guilds,
           (select count(*)::int from member_reading_totals) as members`.execute(db);
  return result.rows[0]!;
}

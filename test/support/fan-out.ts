import { DateTime } from 'luxon';
import { openDatabase } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { saveSchedule } from '../../src/db/schedules.js';
import type { DiscordStandIn, StandInGuild } from './discord-stand-in/index.js';
import { makeLesson } from './lessons.js';

/** Guild ids spread evenly over shards: Discord's shard is (id >> 22) % shard count. */
export function fanOutGuildId(index: number): string {
  return String((100_000_000_000n + BigInt(index)) << 22n);
}

/**
 * `count` servers in the stand-in, each scheduled in the database (migrated here) for the current UTC minute,
 * so every one is due at once: a daily fan-out. The schedules count from yesterday, so a minute that turns
 * meanwhile changes nothing (a post missed earlier today is still due).
 */
export async function seedFanOut(
  discord: DiscordStandIn,
  database: { url?: string; dataDir?: string },
  count: number,
): Promise<StandInGuild[]> {
  const guilds = Array.from({ length: count }, (_, index) => discord.addGuild({ id: fanOutGuildId(index), name: `Fan-out ${index}` }));
  const opened = await openDatabase({ url: database.url, dataDir: database.dataDir ?? 'unused' });
  try {
    await migrateToLatest(opened.db);
    await upsertLesson(opened.db, makeLesson());
    const now = DateTime.utc();
    const postTime = now.toFormat('HH:mm');
    const since = now.minus({ days: 1 }).toJSDate();
    for (const guild of guilds) {
      await saveSchedule(
        opened.db,
        { guildId: guild.id, channelId: guild.channels[0]!.id, postTime, timeZone: 'UTC', roleId: null, createThread: false },
        since,
      );
    }
  } finally {
    await opened.close();
  }
  return guilds;
}

/** Channel messages per fan-out server: exactly one each is the goal. */
export function postsPerGuild(discord: DiscordStandIn, guilds: readonly StandInGuild[]): number[] {
  return guilds.map((guild) => discord.channelMessages(guild.channels[0]!.id).length);
}

import { Writable } from 'node:stream';
import { sql, type KyselyPlugin, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { dailyDelivery } from '../../src/db/deliveries.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { timeoutsFromConfig } from '../../src/db/open-from-config.js';
import { saveSchedule } from '../../src/db/schedules.js';
import type { DB } from '../../src/db/schema.js';
import { DatabaseTimeoutError } from '../../src/db/timeouts.js';
import { replaceVocabularies } from '../../src/db/vocabulary.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { DeliveryScheduler } from '../../src/delivery/scheduler.js';
import type { Channels, PostChannel } from '../../src/discord/channels.js';
import type { VocabularyEntry } from '../../src/domain/vocabulary/types.js';
import { startQuiz } from '../../src/vocabulary/quiz-service.js';
import { createScratchPostgres } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy.js';
import { RecordingChannels } from '../support/recording-channels.js';

/*
 * What the bot's other database paths do while the database hangs (issue 8, item 5): the delivery scheduler
 * (a tick that meets a frozen database must not leave it stuck, and a post cut short must still go out
 * after the thaw, once), and a quiz start whose insert meets the freeze (the member is told within Discord's
 * 3 seconds). The member commands, buttons and autocomplete are in database-timeouts.test.ts.
 */

const GUILD = '100000000000000001';
const CHANNEL = '200000000000000001';
const DISCORD_DEADLINE_MS = 3_000;
const LEASE_MS = 60_000;
const timeouts = timeoutsFromConfig({});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`not true within ${withinMs} ms`);
    await sleep(50);
  }
}

/** The scheduler and poster of main.ts over `db`, with a clock the test moves and a channel double. */
function deliveryOver(db: Kysely<DB>, channels: Channels, startAt: string) {
  let now = new Date(startAt);
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  const poster = new LessonPoster({ db, channels, logger, now: () => now, alerts: createAlerts({ db, channels, logger }), processId: 'frozen-test', leaseMs: LEASE_MS });
  const scheduler = new DeliveryScheduler({ db, poster, logger, now: () => now, cronExpression: '* * * * *', leaseMs: LEASE_MS, servesGuild: () => true });
  return {
    scheduler,
    logs,
    logged: (msg: string) => logs.filter((line) => line.msg === msg).length,
    setNow(iso: string) {
      now = new Date(iso);
    },
  };
}

async function seed(db: Kysely<DB>) {
  const lesson = makeLesson({ date: '2025-01-01', title: 'First lesson' });
  await upsertLesson(db, lesson);
  await upsertLesson(db, makeLesson({ date: '2025-01-02', title: 'Second lesson' }));
  await saveSchedule(db, { guildId: GUILD, channelId: CHANNEL, postTime: '09:00', timeZone: 'UTC', roleId: null, createThread: false }, new Date('2026-01-01T00:00:00Z'));
  return lesson;
}

/** Three words a quiz can ask about, stored as if computed (the word lists are not needed to start a quiz). */
async function seedVocabulary(db: Kysely<DB>, lessonId: string): Promise<void> {
  const entry = (word: string, sentence: string): VocabularyEntry => ({
    word,
    lemma: word,
    pos: 'noun',
    definition: `the ${word}`,
    sentence,
    source: 'article',
    frequency: 100,
    distractors: ['window', 'garden', 'bottle'],
  });
  await replaceVocabularies(db, [
    {
      lessonId,
      contentHash: 'test',
      lexiconVersion: 'test',
      level: { band: 'B1', outside2k: 0.05, outside5k: 0.02, words: 100 },
      entries: [entry('treaty', 'The treaty was signed.'), entry('alliance', 'The alliance grew.'), entry('minister', 'The minister spoke.')],
    },
  ]);
}

/** Pauses the proxy as the first insert into `table` is compiled: the database freezes right at that statement. */
function freezeAtInsertInto(table: string, proxy: PausableProxy): KyselyPlugin {
  return {
    transformQuery(args) {
      const node = args.node as unknown as { kind: string; into?: { table?: { identifier?: { name?: string } } } };
      if (node.kind === 'InsertQueryNode' && node.into?.table?.identifier?.name === table) proxy.pause();
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('PostgreSQL that freezes (connections open, no answer)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let proxy: PausableProxy;
  let database: Database;
  let lessonId: string;

  beforeAll(async () => {
    scratch = await createScratchPostgres(url as string);
    const direct = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 1 });
    await migrateToLatest(direct.db);
    lessonId = (await seed(direct.db)).id;
    await seedVocabulary(direct.db, lessonId);
    await direct.close();
    const target = new URL(scratch.url);
    proxy = await startPausableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(scratch.url);
    viaProxy.port = String(proxy.port);
    database = await openDatabase({ url: viaProxy.toString(), dataDir: 'unused', timeouts });
  });

  afterAll(async () => {
    proxy?.resume();
    await database?.close();
    await proxy?.close();
    await scratch?.drop();
  });

  it('a delivery tick that meets the freeze ends within seconds, and the next tick after the thaw posts', async () => {
    const channels = new RecordingChannels();
    const delivery = deliveryOver(database.db, channels, '2026-05-02T12:00:00Z');
    await sql`select 1`.execute(database.db); // a warm pool, as a running bot's

    proxy.pause();
    const started = Date.now();
    await delivery.scheduler.tick();
    expect(Date.now() - started).toBeLessThan(DISCORD_DEADLINE_MS);
    expect(delivery.logged('delivery tick failed')).toBe(1);
    expect(channels.sent).toEqual([]);

    proxy.resume();
    await until(async () => {
      await delivery.scheduler.tick();
      return channels.sent.length > 0;
    }, 15_000);
    await until(async () => (await dailyDelivery(database.db, GUILD, '2026-05-02'))?.status === 'sent', 10_000);
    expect(channels.sent).toHaveLength(1);
    await delivery.scheduler.stop();
  }, 60_000);

  it('a post cut short by the freeze (sent, not recorded) is recorded after the thaw, resent only with the same nonce', async () => {
    // The freeze comes right after Discord accepted the message: the bot cannot record it.
    class FreezingChannels extends RecordingChannels {
      freezeOnSend = true;
      override async postable(channelId: string): Promise<PostChannel> {
        const channel = await super.postable(channelId);
        return {
          id: channel.id,
          send: async (options) => {
            const message = await channel.send(options);
            if (this.freezeOnSend) proxy.pause();
            return message;
          },
        };
      }
    }
    const channels = new FreezingChannels();
    const delivery = deliveryOver(database.db, channels, '2026-05-03T12:00:00Z');
    await delivery.scheduler.tick();
    // Recording the post times out (three tries): it is left owed on the claim, logged, and the server let go.
    await until(() => delivery.logged('lesson posted but not recorded; its claim is left to record it after the lease') > 0, 15_000);
    channels.freezeOnSend = false;
    proxy.resume();
    expect(channels.sent).toHaveLength(1);

    // Either a statement recording the post reached the server before the client gave up on it and runs once the
    // server thaws (as with a real SIGSTOP: its bytes wait in the server's socket), or none did and the claim stays
    // until its lease runs out, then the next tick of this process takes it over and records the message it holds
    // (another process would send again with the same nonce). Both end with the day's post recorded, and Discord
    // showing one message.
    delivery.setNow('2026-05-03T12:06:05Z');
    await until(async () => {
      await delivery.scheduler.tick();
      return (await dailyDelivery(database.db, GUILD, '2026-05-03'))?.status === 'sent';
    }, 15_000);
    await sleep(300);
    console.log(`post cut short by a freeze: ${channels.sent.length === 1 ? 'recorded after the thaw' : 'taken over and resent'}`);
    expect(channels.sent.length).toBeLessThanOrEqual(2);
    // Discord deduplicates by nonce (enforce_nonce): a resend is the same message, not a second post.
    expect(new Set(channels.sent.map((send) => send.options.nonce)).size).toBe(1);
    const recorded = await dailyDelivery(database.db, GUILD, '2026-05-03');
    expect(channels.sent.map((send) => send.messageId)).toContain(recorded?.messageId);
    await delivery.scheduler.stop();
  }, 60_000);

  it('a quiz start whose insert meets the freeze tells the member within 3 s (no second wait on the frozen database)', async () => {
    await sql`select 1`.execute(database.db);
    const frozenAtInsert = database.db.withPlugin(freezeAtInsertInto('quiz_attempts', proxy));
    const started = Date.now();
    const outcome = await startQuiz(frozenAtInsert, { guildId: GUILD, userId: '300000000000000001' }, lessonId).then(
      () => undefined,
      (error: unknown) => error,
    );
    const ms = Date.now() - started;
    proxy.resume();
    expect(outcome).toBeInstanceOf(DatabaseTimeoutError);
    expect(ms).toBeLessThan(DISCORD_DEADLINE_MS);
    // And after the thaw it works.
    await until(async () => {
      try {
        return (await startQuiz(database.db, { guildId: GUILD, userId: '300000000000000001' }, lessonId)).kind !== 'no-vocabulary';
      } catch {
        return false;
      }
    }, 10_000);
  }, 30_000);
});

describe('PGlite whose one connection is held by a long transaction', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://', timeouts });
    await migrateToLatest(database.db);
    await seed(database.db);
  });
  afterAll(() => database?.close());

  it('a delivery tick ends within seconds, and the next one after the transaction posts', async () => {
    const channels = new RecordingChannels();
    const delivery = deliveryOver(database.db, channels, '2026-05-02T12:00:00Z');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holder = database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await gate;
    });
    await sleep(50);

    const started = Date.now();
    await delivery.scheduler.tick();
    expect(Date.now() - started).toBeLessThan(DISCORD_DEADLINE_MS);
    expect(delivery.logged('delivery tick failed')).toBe(1);

    release();
    await holder;
    await delivery.scheduler.tick();
    await until(async () => (await dailyDelivery(database.db, GUILD, '2026-05-02'))?.status === 'sent', 10_000);
    expect(channels.sent).toHaveLength(1);
    await delivery.scheduler.stop();
  }, 30_000);
});

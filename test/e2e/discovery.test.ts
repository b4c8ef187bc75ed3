import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertWithinLimits, type MessageData } from '../../src/domain/discord-format/index.js';
import { decodeCustomId } from '../../src/domain/discord-format/custom-id.js';
import { decodeCatchupId } from '../../src/domain/progress/catchup-ids.js';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionResponseEvent, type StandInGuild } from '../support/discord-stand-in/index.js';
import { DISCOVERY_FIXTURES, LIBRARY } from '../support/discovery-library.js';
import { runScript } from '../support/run-cli.js';

const EPHEMERAL = 1 << 6;
const UPDATE_MESSAGE = 7;

type Data = Omit<InteractionResponseEvent['data'], 'components'> & MessageData & { flags?: number; allowed_mentions?: { parse?: string[] } };
type Button = { label?: string; custom_id?: string; disabled?: boolean };

function expectSafe(data: Data): void {
  expect(assertWithinLimits(data)).toEqual([]);
  expect(data.allowed_mentions?.parse ?? []).toEqual([]);
}

const buttons = (data: Data): Button[] => (data.components ?? []).flatMap((row) => row.components) as Button[];
const openButtons = (data: Data) => buttons(data).filter((b) => decodeCatchupId(b.custom_id ?? '')?.action === 'card');

describe.each(botDatabaseKinds())('related readings and search through Discord on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess | undefined;
  let guild: StandInGuild;
  /** A server of its own for each test that records reads (so no test sees another's). */
  let openingGuild: StandInGuild;
  let sharingGuild: StandInGuild;
  const reader = { id: '200000000000000901', username: 'reader' };

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    guild = discord.addGuild({ name: 'Learners' });
    openingGuild = discord.addGuild({ name: 'Learners (opening)' });
    sharingGuild = discord.addGuild({ name: 'Learners (sharing)' });
    database = await createBotDatabase(kind, { migrated: true });
    const env = { ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };
    const imported = await runScript('src/cli/lessons.ts', ['import', DISCOVERY_FIXTURES], env);
    expect(imported.stdout.trim()).toBe('imported 11, updated 0, unchanged 0');
    bot = await startBotProcess(env);
  }, 180_000);
  afterEach(() => {
    // Every test: nothing unexpected sent, nothing the stand-in found wrong.
    expect(discord.unexpectedRequests()).toEqual([]);
    expect(discord.problems).toEqual([]);
  });
  afterAll(async () => {
    await bot?.stop();
    await discord?.close();
    await database?.dispose();
  });

  it('/lesson related lists the named lessons first, marks what this member read, and a button opens each card', async () => {
    // The member reads the alliance lesson first.
    await discord.sendCommand({ name: 'lesson', subcommand: 'article', user: reader, options: [{ name: 'lesson', value: LIBRARY.alliance }] }).waitForFinal();
    const related = await discord
      .sendCommand({ name: 'lesson', subcommand: 'related', user: reader, options: [{ name: 'lesson', value: LIBRARY.cyber }] })
      .waitForFinal();
    const data = related.data as Data;
    expectSafe(data);
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const text = data.embeds?.[0]?.description ?? '';
    const lines = text.split('\n');
    expect(lines[0]).toContain('Japan, US defense chiefs agree to work for peace');
    expect(lines[1]).toContain('welcomed his American counterpart');
    expect(lines[1]).toContain('✅ read');
    expect(lines[0]).not.toContain('✅ read');
    expect(text).toContain('**Not in the library**\n• Japan, US defense chiefs agree to strengthen alliance under Trump administration');

    const open = openButtons(data);
    // The named lessons, then (up to 5 in all) lessons similar by content.
    expect(open.slice(0, 3).map((b) => decodeCatchupId(b.custom_id!))).toEqual([
      { action: 'card', lessonId: LIBRARY.peace },
      { action: 'card', lessonId: LIBRARY.alliance },
      { action: 'card', lessonId: LIBRARY.modern },
    ]);
    expect(open.length).toBeLessThanOrEqual(5);
    expect(lines.slice(3, open.length).every((line) => line.includes('similar topic'))).toBe(true);
    const message = { id: '400000000000000901', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...data } as never;
    const card = (await discord.sendButton({ customId: open[1]!.custom_id!, message, user: reader }).waitForFinal()).data as Data;
    expectSafe(card);
    expect(card.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(card.embeds?.[0]?.title).toContain('welcomed his American counterpart');
    expect(card.embeds?.[0]?.fields?.find((f) => f.name === 'Readers')?.value).toMatch(/^1 member has read this/u);
    expect(buttons(card).map((b) => b.label)).toEqual(expect.arrayContaining(['Dialogue', 'Article', 'Related', 'Mark as read']));
  });

  it('the Related button of a card gives the same list, with another member’s own read marks', async () => {
    const other = { id: '200000000000000902', username: 'other' };
    const card = await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: LIBRARY.cyber }] }).waitForFinal();
    const relatedId = buttons(card.data as Data).find((b) => b.label === 'Related')!.custom_id!;
    const data = (await discord.sendButton({ customId: relatedId, message: card.message!, user: other }).waitForFinal()).data as Data;
    expectSafe(data);
    expect(data.embeds?.[0]?.description).not.toContain('✅ read');
    expect(openButtons(data).slice(0, 3).map((b) => (decodeCatchupId(b.custom_id!) as { lessonId: string }).lessonId)).toEqual([
      LIBRARY.peace,
      LIBRARY.alliance,
      LIBRARY.modern,
    ]);
  });

  it('/lesson search pages with Next and Previous in place, and each result opens its card', async () => {
    const first = await discord.sendCommand({ name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: 'japan' }] }).waitForFinal();
    const page1 = first.data as Data;
    expectSafe(page1);
    expect(page1.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(page1.embeds?.[0]?.footer?.text).toMatch(/^Page 1 ·/u);
    const next = buttons(page1).find((b) => b.label === 'Next')!;
    expect(next.disabled).toBeFalsy();
    expect(buttons(page1).find((b) => b.label === 'Previous')?.disabled).toBe(true);

    const message = { id: '400000000000000902', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...page1 } as never;
    const update = await discord.sendButton({ customId: next.custom_id!, message }).waitForFinal();
    expect(update.type).toBe(UPDATE_MESSAGE);
    const page2 = update.data as Data;
    expectSafe(page2);
    expect(page2.embeds?.[0]?.footer?.text).toMatch(/^Page 2/u);
    const ids1 = openButtons(page1).map((b) => decodeCatchupId(b.custom_id!));
    const ids2 = openButtons(page2).map((b) => decodeCatchupId(b.custom_id!));
    expect(ids1).toHaveLength(5);
    expect(ids2.length).toBeGreaterThan(0);
    expect(ids2.filter((id) => ids1.some((other) => JSON.stringify(other) === JSON.stringify(id)))).toEqual([]);

    // The message now shows page 2 (edited in place).
    const edited = { id: '400000000000000902', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...page2 } as never;
    const back = await discord.sendButton({ customId: buttons(page2).find((b) => b.label === 'Previous')!.custom_id!, message: edited }).waitForFinal();
    expect((back.data as Data).embeds?.[0]?.description).toBe(page1.embeds?.[0]?.description);

    // Back on page 1 (the stand-in keeps the edited message): its first result opens that lesson's card.
    const backAgain = { id: '400000000000000902', channel_id: guild.channels[0]!.id, flags: EPHEMERAL, ...(back.data as Data) } as never;
    const opened = (await discord.sendButton({ customId: openButtons(back.data as Data)[0]!.custom_id!, message: backAgain }).waitForFinal()).data as Data;
    expectSafe(opened);
    expect(opened.embeds?.[0]?.fields?.map((f) => f.name)).toEqual(expect.arrayContaining(['Article date', 'Readers']));
  });

  it('a search that finds nothing, or has nothing to search for, says so privately', async () => {
    const none = (await discord.sendCommand({ name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: 'volcano' }] }).waitForFinal()).data as Data;
    expect(none.embeds?.[0]?.description).toContain('No lesson matches');
    expect(buttons(none)).toEqual([]);
    const symbols = (await discord.sendCommand({ name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: '&&& !!' }] }).waitForFinal()).data as Data;
    expect(symbols.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(symbols.content).toContain('Type some words');
  });

  it('the lesson autocomplete finds words of the summary', async () => {
    const response = await discord
      .sendAutocomplete({ name: 'lesson', subcommand: 'related', options: [{ name: 'lesson', value: 'stockpile', focused: true }] })
      .waitForFinal();
    const choices = (response.data as { choices?: { name: string; value: string }[] }).choices ?? [];
    expect(choices.map((c) => c.value)).toEqual([LIBRARY.stockpile]);
  });
  it('every numbered button of /lesson related opens the card of the lesson on its line, named or similar by content', async () => {
    const member = { id: '200000000000000911', username: 'opener' };
    for (const source of [LIBRARY.cyber, LIBRARY.ricePrices, LIBRARY.alliance]) {
      const related = await discord
        .sendCommand({ guildId: openingGuild.id, name: 'lesson', subcommand: 'related', user: member, options: [{ name: 'lesson', value: source }] })
        .waitForFinal();
      const data = related.data as Data;
      expectSafe(data);
      const lines = (data.embeds?.[0]?.description ?? '').split('\n').filter((line) => /^\*\*\d+\.\*\* /u.test(line));
      const open = openButtons(data);
      expect(open.length).toBeGreaterThan(0);
      expect(open).toHaveLength(lines.length);
      const message = { id: '400000000000000911', channel_id: openingGuild.channels[0]!.id, flags: EPHEMERAL, ...data } as never;
      for (const [index, button] of open.entries()) {
        expect(button.label).toMatch(new RegExp(`^${index + 1} · `, 'u'));
        const lessonId = (decodeCatchupId(button.custom_id!) as { lessonId: string }).lessonId;
        expect(lessonId).not.toBe(source);
        const card = await discord.sendButton({ guildId: openingGuild.id, customId: button.custom_id!, message, user: member }).waitForFinal();
        const cardData = card.data as Data;
        expectSafe(cardData);
        expect(cardData.flags! & EPHEMERAL).toBe(EPHEMERAL);
        // The card of that very lesson: its own buttons name it, and its title is the one on the line.
        const cardLessons = new Set(buttons(cardData).map((b) => decodeCustomId(b.custom_id ?? '')?.lessonId).filter(Boolean));
        expect([...cardLessons]).toEqual([lessonId]);
        const title = cardData.embeds?.[0]?.title ?? '';
        expect(title.length).toBeGreaterThan(10);
        expect(lines[index]).toContain(title.slice(0, 30));
      }
    }
  });

  it('a shared related list shows nobody’s read marks; its Related button gives each member their own', async () => {
    const sharer = { id: '200000000000000921', username: 'sharer' };
    const friend = { id: '200000000000000922', username: 'friend' };
    await discord
      .sendCommand({ guildId: sharingGuild.id, name: 'lesson', subcommand: 'article', user: sharer, options: [{ name: 'lesson', value: LIBRARY.peace }] })
      .waitForFinal();
    await discord
      .sendCommand({ guildId: sharingGuild.id, name: 'lesson', subcommand: 'article', user: friend, options: [{ name: 'lesson', value: LIBRARY.modern }] })
      .waitForFinal();
    const shared = await discord
      .sendCommand({
        guildId: sharingGuild.id,
        name: 'lesson',
        subcommand: 'related',
        user: sharer,
        options: [{ name: 'lesson', value: LIBRARY.cyber }, { name: 'share', value: true }],
      })
      .waitForFinal();
    const data = shared.data as Data;
    expectSafe(data);
    expect((data.flags ?? 0) & EPHEMERAL).toBe(0);
    expect(data.embeds?.[0]?.description).not.toContain('✅');
    expect(data.embeds?.[0]?.footer?.text).toContain('Related to see which you have read');
    const relatedButton = buttons(data).find((b) => b.label === 'Related')!;
    const own = async (user: typeof sharer) => {
      const reply = (await discord.sendButton({ guildId: sharingGuild.id, customId: relatedButton.custom_id!, message: shared.message!, user }).waitForFinal()).data as Data;
      expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
      return (reply.embeds?.[0]?.description ?? '').split('\n').filter((line) => line.includes('✅ read'));
    };
    const sharerMarks = await own(sharer);
    expect(sharerMarks).toHaveLength(1);
    expect(sharerMarks[0]).toContain('work for peace');
    const friendMarks = await own(friend);
    expect(friendMarks).toHaveLength(1);
    expect(friendMarks[0]).toContain('modernized alliance');
  });

  it('/lesson search suggests the library’s categories and explains one it does not have', async () => {
    const suggest = async (value: string) =>
      (
        (
          await discord
            .sendAutocomplete({ name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: 'robot' }, { name: 'category', value, focused: true }] })
            .waitForFinal()
        ).data as { choices?: { name: string; value: string }[] }
      ).choices?.map((c) => c.value) ?? [];
    expect(await suggest('')).toEqual(['easy-news', 'local', 'nhk']);
    expect(await suggest('NE')).toEqual(['easy-news']);
    expect(await suggest('zz')).toEqual([]);
    const found = (
      await discord
        .sendCommand({ name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: 'robot' }, { name: 'category', value: 'Easy-News' }] })
        .waitForFinal()
    ).data as Data;
    expect(openButtons(found).map((b) => decodeCatchupId(b.custom_id!)).map((button) => (button as { lessonId: string }).lessonId).sort()).toEqual(
      [LIBRARY.robot, LIBRARY.zurich].sort(),
    );
    const unknown = (
      await discord.sendCommand({ name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: 'robot' }, { name: 'category', value: 'sports' }] }).waitForFinal()
    ).data as Data;
    expect(unknown.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(unknown.content).toBe('There is no category `sports`. The library has: `easy-news`, `local`, `nhk`.');
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertWithinLimits, type MessageData } from '../../src/domain/discord-format/index.js';
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
  const reader = { id: '200000000000000901', username: 'reader' };

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    guild = discord.addGuild({ name: 'Learners' });
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
    expect(open.map((b) => decodeCatchupId(b.custom_id!))).toEqual([
      { action: 'card', lessonId: LIBRARY.peace },
      { action: 'card', lessonId: LIBRARY.alliance },
      { action: 'card', lessonId: LIBRARY.modern },
    ]);
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
    expect(openButtons(data)).toHaveLength(3);
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
});

import { Writable } from 'node:stream';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacyModule } from '../../commands/privacy.js';
import { APOLOGY, createInteractionRouter, type CommandHandler, type InteractionRouter } from '../../src/discord/router.js';
import { DatabaseTimeoutError } from '../../src/db/timeouts.js';
import { createMetrics } from '../../src/metrics.js';
import type { Services } from '../../src/services.js';
import { UserError } from '../../src/user-error.js';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-stand-in/index.js';

const EPHEMERAL = 1 << 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_WINDOW_MS = 3_000;
const CALLBACK = /^\/interactions\/\d+\/[^/]+\/callback$/u;

function testCommand(name: string, execute: CommandHandler['execute']): CommandHandler {
  return { definition: { name, description: 'test', type: 1 } as CommandHandler['definition'], execute };
}

describe('the interaction router’s error boundary, with the real discord.js client', () => {
  let discord: DiscordStandIn;
  let client: Client;
  let router: InteractionRouter;
  let makeRouter: () => InteractionRouter;
  const logs: Record<string, unknown>[] = [];

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    discord.addGuild();
    const stream = logStream();
    makeRouter = () =>
      createInteractionRouter({
        logger: pino({ level: 'debug' }, stream),
        outageLogWindowMs: OUTAGE_WINDOW_MS,
        buttons: [],
        commands: [
          testCommand('db-down', async () => {
            throw new DatabaseTimeoutError('the database is not answering');
          }),
          testCommand('user-error', async () => {
            throw new UserError('That date is not in YYYY-MM-DD form.');
          }),
          testCommand('crash', async () => {
            throw new Error('connection to 10.0.0.5 refused: password=hunter2');
          }),
          testCommand('slow', async (_interaction, reply) => {
            await sleep(2_200);
            await reply.send({ content: 'done slowly' });
          }),
          testCommand('slow-public-crash', async (_interaction, reply) => {
            reply.ephemeral = false;
            await sleep(2_000);
            throw new Error('late failure');
          }),
          testCommand('fast', async (_interaction, reply) => {
            await reply.send({ content: 'done fast' });
          }),
          // The shape of /lesson import and /schedule post-now: a lookup (the database, the server's roles), then an
          // explicit defer before the long part, which can come while the automatic deferral is on its way.
          testCommand('lookup-then-defer', async (_interaction, reply) => {
            await sleep(1_700);
            await reply.defer();
            await sleep(200);
            await reply.send({ content: 'imported' });
          }),
          { ...testCommand('suggests', async () => undefined), autocomplete: async (interaction) => interaction.respond([{ name: 'a', value: 'a' }]) },
        ],
      });
    router = makeRouter();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiUrl } });
    client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login(discord.token);
    await ready;
  });
  function logStream(): Writable {
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
  }

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it('a user error becomes a short private message', async () => {
    const response = await discord.sendCommand({ name: 'user-error' }).waitForFinal();
    expect(response.data.content).toBe('That date is not in YYYY-MM-DD form.');
    expect((response.data.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('an unexpected error is logged with context and the member only sees an apology', async () => {
    const handle = discord.sendCommand({ name: 'crash' });
    const response = await handle.waitForFinal();
    expect(response.data.content).toBe(APOLOGY);
    expect(JSON.stringify(response.data)).not.toContain('hunter2');
    expect((response.data.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
    const logged = logs.find((line) => line.msg === 'interaction failed' && line.interactionId === handle.id);
    expect(logged).toMatchObject({ command: 'crash', level: 50 });
    expect(JSON.stringify(logged)).not.toContain(handle.token);
  });

  it('an outage’s failures: every member gets the apology, the first is logged in full and the rest of its window as one count', async () => {
    const failed = (command: string) => logs.filter((line) => line.msg === 'interaction failed' && line.command === command);
    const handles = Array.from({ length: 12 }, () => discord.sendCommand({ name: 'db-down' }));
    const answers = await Promise.all(handles.map((handle) => handle.waitForFinal()));
    expect(answers.every((answer) => answer.data.content === APOLOGY)).toBe(true);
    expect(failed('db-down')).toHaveLength(1);
    expect(failed('db-down')[0]).toMatchObject({ level: 50, err: { message: 'the database is not answering' } });
    // Another kind of failure in the same window is still logged in full.
    const crash = discord.sendCommand({ name: 'crash' });
    await crash.waitForFinal();
    expect(logs.some((line) => line.msg === 'interaction failed' && line.interactionId === crash.id)).toBe(true);
    await expect
      .poll(() => logs.find((line) => line.msg === 'more interactions failed the same way (not logged one by one)'), { timeout: OUTAGE_WINDOW_MS + 2_000 })
      .toMatchObject({ level: 50, failed: 11, reason: 'the database is not answering' });
    // After the window the next is logged in full again.
    await discord.sendCommand({ name: 'db-down' }).waitForFinal();
    expect(failed('db-down')).toHaveLength(2);
  });

  it('a slow answer is deferred within Discord’s 3 seconds, then delivered', async () => {
    const sent = Date.now();
    const handle = discord.sendCommand({ name: 'slow' });
    const first = await handle.waitForResponse(3_000);
    expect(first.type).toBe(5); // DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
    expect(first.at - sent).toBeLessThan(3_000);
    const final = await handle.waitForFinal(5_000);
    expect(final.data.content).toBe('done slowly');
  });

  it('a public answer that fails after deferring is removed and the apology sent privately', async () => {
    const handle = discord.sendCommand({ name: 'slow-public-crash' });
    await handle.waitForResponse(3_000);
    await expect.poll(() => handle.responses().map((r) => r.kind), { timeout: 5_000 }).toContain('followup');
    const kinds = handle.responses().map((r) => r.kind);
    expect(kinds).toContain('delete');
    const followUp = handle.responses().find((r) => r.kind === 'followup');
    expect(followUp?.data.content).toBe(APOLOGY);
    expect((followUp?.data.flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
  });

  it('a fast answer is not deferred (one request, no extra round trip)', async () => {
    const handle = discord.sendCommand({ name: 'fast' });
    const first = await handle.waitForResponse();
    expect(first.type).toBe(4);
    expect(first.data.content).toBe('done fast');
  });

  it('an explicit defer while the automatic one is on its way: one deferral, then the answer', async () => {
    // Discord takes 400 ms over each acknowledgement: the handler's defer() comes while the automatic one is unanswered.
    discord.failNext({ method: 'POST', path: CALLBACK }, { delayMs: 400 }, 2);
    try {
      const handle = discord.sendCommand({ name: 'lookup-then-defer' });
      const final = await handle.waitForFinal(6_000);
      expect(final.data.content).toBe('imported');
      expect(handle.responses().filter((response) => response.kind === 'callback').map((response) => response.type)).toEqual([5]);
      expect(logs.filter((line) => line.interactionId === handle.id && Number(line.level) >= 40)).toEqual([]);
    } finally {
      // The second slow acknowledgement is not used when the deferral is sent once.
      discord.clearRecords();
    }
  });

  it('an autocomplete for a command the bot no longer has is answered with no suggestions, in time', async () => {
    const sent = Date.now();
    const handle = discord.sendAutocomplete({ name: 'gone-since-the-last-deploy', options: [{ name: 'lesson', type: 3, value: 'ri', focused: true }] });
    const first = await handle.waitForResponse(3_000);
    expect(first.type).toBe(8); // APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    expect(first.data.choices).toEqual([]);
    expect(first.at - sent).toBeLessThan(3_000);
  });

  it('a click on a /privacy button that fails is logged without the member: no user id, the custom id cut to prefix:action', async () => {
    const serving = router;
    const bound = privacyModule.bind({} as Services);
    expect([bound.command.logsWithoutMember, bound.button?.logsWithoutMember]).toEqual([true, true]);
    router = createInteractionRouter({
      logger: pino({ level: 'debug' }, logStream()),
      commands: [],
      buttons: [{ prefix: 'pv', logsWithoutMember: true, execute: async () => { throw new Error('the update was refused'); } }],
    });
    const userId = '200000000000000777';
    const customId = `pv:f:${userId}:4102444800`;
    try {
      const handle = discord.sendButton({
        customId,
        user: { id: userId },
        message: { id: '600000000000000001', components: [{ type: 1, components: [{ type: 2, style: 4, label: 'Delete', custom_id: customId }] }] },
      } as never);
      expect((await handle.waitForFinal()).data.content).toBe(APOLOGY);
      // The debug line is written once the apology has gone.
      await expect.poll(() => logs.some((line) => line.interactionId === handle.id && line.msg === 'interaction handled')).toBe(true);
      const lines = logs.filter((line) => line.interactionId === handle.id);
      expect(lines.map((line) => line.msg)).toEqual(['interaction failed', 'interaction handled']);
      for (const line of lines) expect(line).toMatchObject({ customId: 'pv:f' });
      expect(JSON.stringify(lines)).not.toContain(userId);
    } finally {
      router = serving;
    }
  });

  it('while draining for shutdown, new interactions are told to retry', async () => {
    // A router of its own to drain: the other tests' router keeps answering.
    const serving = router;
    router = makeRouter();
    try {
      await router.drain(1_000);
      const response = await discord.sendCommand({ name: 'fast' }).waitForFinal();
      expect(response.data.content).toMatch(/restarting/u);
      // An autocomplete has no message to show: it gets an empty list rather than Discord's "loading failed".
      const suggestions = await discord.sendAutocomplete({ name: 'suggests', options: [{ name: 'q', type: 3, value: 'a', focused: true }] }).waitForResponse(3_000);
      expect([suggestions.type, suggestions.data.choices]).toEqual([8, []]);
    } finally {
      router = serving;
    }
    expect((await discord.sendCommand({ name: 'fast' }).waitForFinal()).data.content).toBe('done fast');
  });
  it('counts interactions under names the bot declares: made-up button ids add no metric series past a bound', async () => {
    const serving = router;
    const metrics = createMetrics();
    router = createInteractionRouter({
      logger: pino({ level: 'silent' }),
      metrics,
      commands: [testCommand('fast', async (_interaction, reply) => reply.send({ content: 'done fast' }))],
      buttons: [{ prefix: 'x', execute: async (_interaction, reply) => reply.send({ content: 'pressed' }) }],
    });
    const press = (customId: string, index: number) =>
      discord
        .sendButton({
          customId,
          message: { id: String(500000000000000000n + BigInt(index)), components: [{ type: 1, components: [{ type: 2, style: 1, label: 'b', custom_id: customId }]}] } as never,
        })
        .waitForFinal();
    try {
      // 150 actions no module has, of letters (each a name until the bound) or not; buttons of no module; a command too.
      for (let i = 0; i < 150; i++) await press(`x:${i.toString(26).replace(/\d/gu, (d) => 'qrstuvwxyz'[Number(d)]!)}a:${i}`, i);
      await press('x:Not-An-Action!', 150);
      await press('zz:a', 151);
      expect((await press('x:ok', 152)).data.content).toBe('pressed');
      const body = await metrics.registry.metrics();
      const names = new Set([...body.matchAll(/newsdesk_interactions_total\{kind="button",name="([^"]*)"/gu)].map((match) => match[1]));
      expect(names.size).toBeLessThanOrEqual(66);
      expect(names).toContain('x:other');
      expect(names).toContain('unknown');
      expect(names).toContain('x:qa');
      expect(body).toMatch(/newsdesk_interactions_total\{kind="button",name="unknown",outcome="user_error"\} 1/u);
    } finally {
      router = serving;
    }
  });
});

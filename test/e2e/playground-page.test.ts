import { REST } from 'discord.js';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../../src/local-discord/index.js';
import { createLogger } from '../../src/logger.js';
import { PlaygroundActions } from '../../src/playground/actions.js';
import { Timeline } from '../../src/playground/timeline.js';
import { startWebServer, type PlaygroundWebServer } from '../../src/playground/web-server.js';
import { createPlaygroundServer, PLAYGROUND_IDS } from '../../src/playground/world.js';
import { chromiumPath, launchChromium, type Browser } from '../support/browser.js';

const executable = chromiumPath();

// The page in a real browser against the playground's server side and a local Discord, without the bot: what the
// bot would send is sent by hand with discord.js's REST client, so each test looks at one thing the page does
// (playground-browser.test.ts runs the whole product).
describe.skipIf(!executable)('playground page in a real browser, without the bot', () => {
  let discord: DiscordStandIn;
  let web: PlaygroundWebServer;
  let rest: REST;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    discord = await startDiscordStandIn({ onProblem: () => undefined, maxRecordedRequests: 50 });
    const timeline = new Timeline();
    discord.observe(timeline.observe);
    const guild = createPlaygroundServer(discord);
    const actions = new PlaygroundActions(discord, guild, timeline);
    web = await startWebServer(0, { discord, guild, actions, timeline, logger: createLogger('silent') });
    rest = new REST({ api: discord.apiUrl, retries: 0 }).setToken(discord.token);
    await rest.put(`/applications/${discord.applicationId}/guilds/${PLAYGROUND_IDS.guild}/commands`, {
      body: [
        {
          name: 'lesson',
          description: 'Lessons',
          options: [{ type: 1, name: 'search', description: 'Search', options: [{ type: 3, name: 'query', description: 'Words', required: true }] }],
        },
      ],
    });
    browser = await launchChromium(executable ?? '');
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(web.url);
    await page.locator('.channel', { hasText: 'lessons' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await discord?.close();
    expect(pageErrors).toEqual([]);
  });

  it('does not send the command on the Enter that ends an input method’s composition (Japanese, Chinese, Korean)', async () => {
    const sent: Request[] = [];
    const watch = (request: Request) => {
      if (request.url().endsWith('/api/command')) sent.push(request);
    };
    page.on('request', watch);
    try {
      const box = page.getByLabel('Message box: type / for commands');
      await box.fill('/lesson search query:');
      await box.press('End');
      // What an IME does: the reading is composed in the box, then Enter converts it. Chrome reports that Enter as
      // keydown with isComposing (keyCode 229), then inserts the converted text.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Input.imeSetComposition', { text: 'とうきょう', selectionStart: 5, selectionEnd: 5 });
      await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
      await cdp.send('Input.insertText', { text: '東京' });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 });
      await page.waitForTimeout(500);
      expect(sent).toEqual([]);
      expect(await box.inputValue()).toBe('/lesson search query:東京');
      // The next Enter, after the conversion, sends it.
      await box.press('Enter');
      await expect.poll(() => sent.length).toBe(1);
      expect(sent[0]?.postDataJSON()).toMatchObject({ command: { name: 'lesson', subcommand: 'search', options: [{ name: 'query', value: '東京' }] } });
    } finally {
      page.off('request', watch);
    }
  });

  it('wraps a long word in an embed’s author, title, field names and footer inside the embed, as Discord does', async () => {
    const word = (letter: string, n: number) => letter.repeat(n);
    await rest.post(`/channels/${PLAYGROUND_IDS.lessons}/messages`, {
      body: {
        embeds: [
          {
            author: { name: word('a', 200) },
            title: word('t', 250),
            url: 'https://example.com/',
            description: word('d', 300),
            fields: [{ name: word('n', 200), value: word('v', 300) }],
            footer: { text: word('f', 300) },
          },
        ],
      },
    });
    const embed = page.locator('.embed').last();
    await embed.waitFor();
    const overflowing = await embed.evaluate((element) => {
      const right = element.getBoundingClientRect().right;
      return [...element.querySelectorAll('*')]
        .filter((child) => child.getBoundingClientRect().right > right + 1 || child.scrollWidth > child.clientWidth + 1)
        .map((child) => child.className);
    });
    expect(overflowing).toEqual([]);
  });

  it('is a combobox for screen readers: it says when suggestions are open and which one the arrows selected', async () => {
    const box = page.getByRole('combobox', { name: 'Message box: type / for commands' });
    await box.fill('');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    await box.fill('/lesson ');
    await expect.poll(() => box.getAttribute('aria-expanded')).toBe('true');
    expect(await box.getAttribute('aria-controls')).toBe('suggestions');
    await box.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    const option = page.locator(`[id="${active}"]`);
    expect(await option.getAttribute('role')).toBe('option');
    expect(await option.getAttribute('aria-selected')).toBe('true');
    expect(await option.textContent()).toContain('search');
    await box.press('Escape');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(await box.getAttribute('aria-activedescendant')).toBeNull();
    await box.fill('');
  });

  it('keeps the keyboard’s focus on the button pressed when its message changes (a page turned), not the page’s start', async () => {
    const buttons = (page: number, last: boolean) => [
      { type: 1, components: [
        { type: 2, style: 2, label: 'Previous', custom_id: `previous-${page}`, disabled: page === 1 },
        { type: 2, style: 2, label: 'Next', custom_id: `next-${page}`, disabled: last },
        { type: 2, style: 3, label: 'Mark as read', custom_id: `read-${page}` },
      ] },
    ];
    const posted = (await rest.post(`/channels/${PLAYGROUND_IDS.lessons}/messages`, { body: { content: 'Page 1 of 3', components: buttons(1, false) } })) as { id: string };
    const message = page.locator(`.message[data-message-id="${posted.id}"]`);
    await message.getByRole('button', { name: 'Next', exact: true }).focus();
    const edit = (content: string, body: unknown) => rest.patch(`/channels/${PLAYGROUND_IDS.lessons}/messages/${posted.id}`, { body: { content, components: body } });
    const focused = async () => {
      const element = page.locator(':focus');
      return `${await element.evaluate((e) => e.closest('.message[data-message-id]')?.getAttribute('data-message-id'))} ${await element.textContent()}`;
    };

    await edit('Page 2 of 3', buttons(2, false));
    await expect.poll(() => message.textContent()).toContain('Page 2 of 3');
    expect(await focused()).toBe(`${posted.id} Next`);
    // Another message arriving re-draws the channel too.
    await rest.post(`/channels/${PLAYGROUND_IDS.lessons}/messages`, { body: { content: 'Someone else’s post' } });
    await expect.poll(() => page.locator('.message').last().textContent()).toContain('Someone else’s post');
    expect(await focused()).toBe(`${posted.id} Next`);
    // On the last page Next is disabled: the focus goes to the nearest button that takes it.
    await edit('Page 3 of 3', buttons(3, true));
    await expect.poll(() => message.textContent()).toContain('Page 3 of 3');
    expect(await focused()).toBe(`${posted.id} Previous`);
  });

  it('adds to the messages’ live region only what is new or changed: a screen reader is not read the channel again', async () => {
    const first = (await rest.post(`/channels/${PLAYGROUND_IDS.lessons}/messages`, { body: { content: 'Kept as it is' } })) as { id: string };
    await page.locator(`.message[data-message-id="${first.id}"]`).waitFor();
    // In the page (its own script, as the tests' TypeScript has no DOM types): what is added to the log, by message id.
    await page.evaluate(`(() => {
      window.added = [];
      new MutationObserver((records) => {
        for (const record of records) for (const node of record.addedNodes) window.added.push(node.nodeType === 1 ? (node.getAttribute('data-message-id') ?? node.className) : '#text');
      }).observe(document.querySelector('[role="log"]'), { childList: true });
    })()`);
    const second = (await rest.post(`/channels/${PLAYGROUND_IDS.lessons}/messages`, { body: { content: 'Then this' } })) as { id: string };
    await page.locator(`.message[data-message-id="${second.id}"]`).waitFor();
    await rest.patch(`/channels/${PLAYGROUND_IDS.lessons}/messages/${second.id}`, { body: { content: 'Then this, edited' } });
    await expect.poll(() => page.locator(`.message[data-message-id="${second.id}"]`).textContent()).toContain('edited');
    expect(await page.evaluate('window.added')).toEqual([second.id, second.id]);
  });
});

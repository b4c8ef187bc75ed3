import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, type Browser } from '../support/browser.js';
import { startPlayground, type PlaygroundProcess } from '../support/playground-process.js';
import { PROJECT_ROOT } from '../support/run-cli.js';

const executable = chromiumPath();
const SCREENSHOTS = join(PROJECT_ROOT, 'test-results');
// Today's lesson without a schedule: the newest by article date, the reference export (examples/lessons).
const LESSON_TITLE = /The defense chiefs of Japan and the United States/u;
// A schedule posts its backlog oldest first: the earliest lesson of examples/library.
const FIRST_POST_TITLE = /A small lunar probe built by a team of university engineers/u;

if (!executable) {
  console.warn('SKIPPED: playground browser test: no chromium at /usr/bin/chromium (apt-get install -y chromium, or set CHROMIUM_PATH)');
}

describe.skipIf(!executable)('playground in a real browser (chromium driven by playwright-core)', () => {
  let dataDir: string;
  let playground: PlaygroundProcess;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'newsdesk-playground-'));
    // `npm start` without a token. The real scheduler ticks every 5 s instead of every minute, so the
    // scheduled post does not keep the test waiting up to a minute longer.
    // At `info` the output says when the bot's catch-up has computed the example lessons' vocabularies.
    playground = await startPlayground('src/main.ts', { DATA_DIR: dataDir, DISCORD_TOKEN: '', DELIVERY_CRON: '*/5 * * * * *', LOG_LEVEL: 'info' });
    browser = await launchChromium(executable ?? '');
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(playground.url);
    await page.locator('.channel', { hasText: 'lessons' }).waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    const code = await playground?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(code).toBe(0);
  }, 60_000);

  afterEach(() => {
    // Every test: no script errors in the page.
    expect(pageErrors).toEqual([]);
  });

  async function actAs(name: string) {
    await page.locator('.person', { hasText: name }).click();
    await expect.poll(() => page.locator('.person.active').textContent()).toContain(name);
  }

  async function run(command: string) {
    const box = page.getByLabel('Message box: type / for commands');
    await box.fill(command);
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('');
  }

  it('shows the server: #lessons and #general, three people to act as, and that nothing goes to Discord', async () => {
    await expect.poll(() => page.locator('.channel .channel-name').allTextContents()).toEqual(['lessons', 'general']);
    expect(await page.locator('.person').allTextContents()).toEqual(['MMina (moderator)', 'AAna (member)', 'BBen (member)']);
    expect(await page.locator('.local-badge').textContent()).toContain('nothing is sent to Discord');
    expect(playground.output()).toContain('nothing is sent to Discord');
    expect(playground.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    // A laptop-sized window keeps the three columns usable (the hidden servers column once shifted them all).
    await page.setViewportSize({ width: 1024, height: 700 });
    const width = async (selector: string) => (await page.locator(selector).boundingBox())?.width ?? 0;
    expect(await width('.channel-list')).toBeGreaterThanOrEqual(180);
    expect(await width('#box')).toBeGreaterThanOrEqual(400);
    expect(await width('.panel')).toBeGreaterThanOrEqual(200);
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('suggests the registered commands, their subcommands and the bot’s own autocomplete answers', async () => {
    const box = page.getByLabel('Message box: type / for commands');
    await actAs('Mina');
    await box.fill('/');
    await expect.poll(() => page.locator('.suggestion-label').allTextContents()).toEqual(expect.arrayContaining(['/lesson', '/schedule']));
    // A member's Discord does not list /schedule (its default_member_permissions ask for Manage Server).
    await actAs('Ana');
    await expect.poll(() => page.locator('.suggestion-label').allTextContents()).toContain('/lesson');
    expect(await page.locator('.suggestion-label').allTextContents()).not.toContain('/schedule');
    await box.fill('/lesson ');
    await expect.poll(() => page.locator('.suggestion-label').allTextContents()).toEqual(expect.arrayContaining(['today', 'dialogue', 'import']));
    await box.pressSequentially('dialogue lesson:cyber', { delay: 10 });
    // The choices come from the bot: an autocomplete interaction through the local Discord.
    await expect.poll(() => page.locator('.suggestion-label').allTextContents(), { timeout: 10_000 }).toEqual([expect.stringMatching(LESSON_TITLE)]);
    // Picked, the box shows the lesson's title and sends its id; the reply's "used" line shows the title, as the
    // box did (it showed the id until 2026-12-07).
    await page.locator('.suggestion', { hasText: LESSON_TITLE }).click();
    await expect.poll(() => box.inputValue()).toMatch(LESSON_TITLE);
    await box.press('Enter');
    const used = page.locator('.message', { hasText: 'used /lesson dialogue' }).last();
    await used.waitFor({ timeout: 15_000 });
    expect(await used.locator('.invoked').textContent()).toMatch(/^Ana used \/lesson dialogue lesson:.*The defense chiefs of Japan/u);
    expect(await used.locator('.invoked').textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/u);
  });

  it('/help shows a member the commands as links (not /schedule); a click puts the command in the message box', async () => {
    await actAs('Ana');
    await run('/help');
    const help = page.locator('.message', { hasText: 'used /help' }).last();
    const search = help.locator('.command-mention', { hasText: '/lesson search' });
    await search.waitFor({ timeout: 15_000 });
    const links = await help.locator('.command-mention').allTextContents();
    expect(links).toEqual(expect.arrayContaining(['/lesson today', '/progress', '/privacy forget-me']));
    expect(links.some((link) => link.startsWith('/schedule'))).toBe(false);
    await help.screenshot({ path: join(SCREENSHOTS, 'playground-help.png') });
    await search.click();
    const box = page.getByLabel('Message box: type / for commands');
    await expect.poll(() => box.inputValue()).toBe('/lesson search ');
    await box.fill('');
  });

  it('runs /lesson today as a member: a private card marked "Only you can see this", and Dialogue opens the dialogue', async () => {
    await actAs('Ana');
    await run('/lesson today');
    const card = page.locator('.message', { hasText: 'used /lesson today' }).last();
    await card.locator('.embed-title', { hasText: LESSON_TITLE }).waitFor({ timeout: 15_000 });
    expect(await card.locator('.invoked').textContent()).toBe('Ana used /lesson today');
    expect(await card.locator('.ephemeral-note').textContent()).toContain('Only you can see this');
    const buttons = await card.locator('.button-label').allTextContents();
    expect(buttons).toEqual(expect.arrayContaining(['Dialogue', 'Article', 'Mark as read']));

    await card.getByRole('button', { name: /Dialogue/u }).click();
    const dialogue = page.locator('.message.ephemeral', { hasText: '🔵 A:' }).last();
    await dialogue.waitFor({ timeout: 15_000 });
    expect(await dialogue.textContent()).toMatch(/🔵 A:[\s\S]*🟠 B:/u);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-dialogue.png') });

    // Another member does not see Ana's private replies.
    await actAs('Ben');
    expect(await page.locator('.message', { hasText: 'used /lesson today' }).count()).toBe(0);
  });

  it('links the example library: related readings name another example lesson, and a search pages', async () => {
    await actAs('Ana');
    await run('/lesson related lesson:lunar probe');
    const related = page.locator('.message', { hasText: 'used /lesson related' }).last();
    await related.locator('.embed-title', { hasText: /Related to: A small lunar probe/u }).waitFor({ timeout: 15_000 });
    // The similar reading that names the ice survey links it; the one naming nothing here is listed below.
    expect(await related.locator('.button-label').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/1 · Scientists say new radar/u)]));
    expect(await related.textContent()).toContain('Private company announces plan to mine asteroids for metals');
    await related.getByRole('button', { name: /1 · Scientists/u }).click();
    await page.locator('.message.ephemeral .embed-title', { hasText: /frozen water is spread more widely/u }).last().waitFor({ timeout: 15_000 });

    await run('/lesson search query:say');
    const search = page.locator('.message', { hasText: 'used /lesson search' }).last();
    await search.locator('.embed-footer', { hasText: /^Page 1 ·/u }).waitFor({ timeout: 15_000 });
    await search.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => search.locator('.embed-footer').last().textContent(), { timeout: 15_000 }).toMatch(/^Page 2 \(last\)/u);
  });

  it('sets the schedule a minute ahead as the moderator, and the daily post arrives in #lessons through the real scheduler, with its level', async () => {
    // A first start leaves the example lessons' vocabularies (a post's level) to the bot's catch-up job, flat out
    // in the playground: a newcomer's first post has its level once that is done.
    await expect.poll(() => playground.output(), { timeout: 60_000 }).toContain('vocabulary caught up');
    await actAs('Mina');
    await page.locator('.channel', { hasText: 'lessons' }).click();
    await page.getByRole('button', { name: 'Schedule the daily post for the next minute' }).click();
    const reply = page.locator('.message.ephemeral', { hasText: /used \/schedule set/u }).last();
    await reply.waitFor({ timeout: 15_000 });
    // Beside the control: what was done, and the bot's own answer to Mina (its next post).
    await expect.poll(() => page.locator('#time-status').textContent(), { timeout: 15_000 }).toMatch(/set the daily post for \d\d:\d\d/u);
    expect(await page.locator('#time-status .time-answer').textContent()).toMatch(/^The bot answered: ✅ Daily lesson: #lessons at \d\d:\d\d[\s\S]*Next post:/u);

    const post = page.locator('.message:not(.ephemeral)', { has: page.locator('.embed-title', { hasText: FIRST_POST_TITLE }) });
    await post.first().waitFor({ timeout: 100_000 });
    expect(await post.count()).toBe(1);
    expect(await post.first().locator('.invoked').count()).toBe(0);
    expect(await post.first().textContent()).toMatch(/Level\s*[ABC][12] · [a-z]/u);
    // Seen by everyone, members included.
    await actAs('Ana');
    expect(await post.count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'playground.png') });
  }, 150_000);

  it('posts now through the bot, opens the discussion thread, and draws mentions and message links as Discord does', async () => {
    await actAs('Mina');
    // Today's lesson went out through the scheduler above: the control shows the bot saying so, with a link to it.
    await page.getByRole('button', { name: 'Post today’s lesson now' }).click();
    await expect.poll(() => page.locator('#time-status .time-answer').textContent(), { timeout: 20_000 }).toMatch(/already posted: #lessons › 💬/u);
    // That link beside the controls opens the post, from another channel too (it did nothing until 2026-12-07).
    await page.locator('#channels .channel', { hasText: 'general' }).click();
    await expect.poll(() => page.locator('#channel-title').textContent()).toBe('general');
    await page.locator('#time-status [data-jump-channel]').last().click();
    await expect.poll(() => page.locator('#channel-title').textContent()).toBe('lessons');
    expect(await page.locator('#messages .message.highlight .embed-title').textContent()).toMatch(FIRST_POST_TITLE);

    await run('/schedule set channel:#lessons time:07:30 timezone:UTC thread:true');
    const set = page.locator('.message.ephemeral', { hasText: 'used /schedule set channel:#lessons time:07:30' }).last();
    await set.locator('.channel-mention').first().waitFor({ timeout: 15_000 });
    // A channel mention is an inline pill, not a row as wide as the message.
    expect((await set.locator('.channel-mention').first().boundingBox())?.width).toBeLessThan(150);

    await run('/schedule post-now force:true');
    const posted = page.locator('.message.ephemeral', { hasText: 'used /schedule post-now force:true' }).last();
    await posted.locator('.channel-mention', { hasText: '#lessons › 💬' }).waitFor({ timeout: 20_000 });
    const thread = page.locator('#channels .channel.thread');
    await thread.first().waitFor({ timeout: 15_000 });
    // The post's thread link and the channel list both open the thread, which starts with the post.
    await page.locator('.message:not(.ephemeral) .thread-link').last().click();
    await expect.poll(() => page.locator('#channel-icon').textContent()).toBe('🧵');
    expect(await page.locator('#messages .message .embed-title').textContent()).toMatch(FIRST_POST_TITLE);
    expect(await page.locator('#messages .thread-start').textContent()).toContain('The thread starts from this message');
    // A button on the thread's first message answers in the channel the post is in.
    await page.locator('#messages .message').first().getByRole('button', { name: /Article/u }).click();
    await expect.poll(() => page.locator('#channel-title').textContent()).toBe('lessons');
    await page.locator('.message.ephemeral', { hasText: /📰/u }).last().waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'playground-post-now.png') });

    // A private reply can be dismissed, as in Discord; the channel's posts stay.
    const privateReplies = await page.locator('.message.ephemeral').count();
    await page.locator('.message.ephemeral .dismiss').last().click();
    expect(await page.locator('.message.ephemeral').count()).toBe(privateReplies - 1);
  }, 90_000);
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertWithinLimits, type MessageData } from '../../src/domain/discord-format/index.js';
import { decodeVocabularyId } from '../../src/domain/vocabulary/custom-id.js';
import { BLANK } from '../../src/domain/vocabulary/sentence.js';
import { botDatabaseKinds, createBotDatabase, startBotProcess, type BotDatabase, type BotProcess } from '../support/bot-process.js';
import { startDiscordStandIn, type DiscordStandIn, type InteractionResponseEvent } from '../support/discord-stand-in/index.js';
import { runScript, type CliResult } from '../support/run-cli.js';

const REFERENCE = 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt';
const REFERENCE_ID = 'add8c4f2-5778-47a5-bd18-2492841fbc6e';
/** A hand-made export: numbers, percentages, currencies, acronyms, months. */
const ECONOMY = 'test/fixtures/vocabulary/economy-yen.txt';
const ECONOMY_ID = '44444444-4444-4444-8444-444444444444';
const EPHEMERAL = 1 << 6;

type Data = Omit<InteractionResponseEvent['data'], 'components'> & MessageData & { flags?: number; allowed_mentions?: { parse?: string[] } };
type Button = { label?: string; custom_id?: string; disabled?: boolean };
type Entry = { word: string; lemma: string; pos: string; definition: string; sentence: string };

function expectSafe(data: Data): void {
  expect(assertWithinLimits(data)).toEqual([]);
  expect(data.allowed_mentions?.parse ?? []).toEqual([]);
}

function buttons(data: Data): Button[] {
  return (data.components ?? []).flatMap((row) => row.components) as Button[];
}

const ann = { id: '200000000000000101', username: 'ann' };
const bob = { id: '200000000000000102', username: 'bob' };
const cleo = { id: '200000000000000103', username: 'cleo' };
const dev = { id: '200000000000000104', username: 'dev' };

/** The question on a quiz message: its number, its total, the prompt as Discord shows it (escapes undone), the labels. */
function questionOn(data: Data): { number: number; total: number; prompt: string; labels: string[] } {
  const description = data.embeds?.[0]?.description ?? '';
  const [, number, total] = /Question (\d) of (\d)/u.exec(description) ?? [];
  const prompt = /^> (.*)$/mu.exec(description)?.[1]?.replace(/\\(.)/gu, '$1') ?? '';
  return { number: Number(number), total: Number(total), prompt, labels: buttons(data).map((b) => b.label ?? '') };
}

/** The choice that puts one of the lesson's sentences back together, word for word: the answer. */
function answerOf(prompt: string, labels: readonly string[], entries: readonly Entry[]): string | undefined {
  return labels.find((label) => entries.some((e) => e.sentence === prompt.replace(BLANK, label)));
}

/** The figures of the member's own `/progress`, as shown. */
function quizFigures(data: Data): string | undefined {
  return data.embeds?.[0]?.fields?.find((f) => f.name === 'Vocabulary and quizzes')?.value;
}

describe.each(botDatabaseKinds())('vocabulary and quizzes through Discord, on %s', (kind) => {
  let discord: DiscordStandIn;
  let database: BotDatabase;
  let bot: BotProcess | undefined;
  let env: Record<string, string>;
  let vocabulary: Entry[];
  let economyVocabulary: Entry[];
  /** What the CLI printed, run before the bot starts (PGlite allows one process at a time). */
  let cli: { imported: CliResult; printed: CliResult; missing: CliResult };

  beforeAll(async () => {
    discord = await startDiscordStandIn();
    discord.addGuild({ name: 'Learners' });
    database = await createBotDatabase(kind, { migrated: true });
    env = { ...database.env, DISCORD_API_URL: discord.apiUrl, DISCORD_TOKEN: 'test-token' };
    const imported = await runScript('src/cli/lessons.ts', ['import', REFERENCE, ECONOMY], env);
    const printed = await runScript('src/cli/lessons.ts', ['vocab', REFERENCE_ID, '--json'], env);
    const missing = await runScript('src/cli/lessons.ts', ['vocab', '00000000-0000-4000-8000-000000000000'], env);
    const economy = await runScript('src/cli/lessons.ts', ['vocab', ECONOMY_ID, '--json'], env);
    cli = { imported, printed, missing };
    // What every test checks the bot's answers against: the vocabulary as the CLI prints it.
    vocabulary = JSON.parse(printed.stdout) as Entry[];
    economyVocabulary = JSON.parse(economy.stdout) as Entry[];
    bot = await startBotProcess(env);
  }, 180_000);
  afterEach(() => {
    expect(discord.problems).toEqual([]);
  });
  afterAll(async () => {
    // SIGTERM: a clean shutdown.
    const code = await bot?.stop();
    await discord?.close();
    await database?.dispose();
    expect(code).toBe(0);
  });

  it('the CLI import computes the vocabulary, and `vocab --json` prints it', () => {
    expect(cli.imported.stdout.trim()).toBe('imported 2, updated 0, unchanged 0');
    expect(cli.imported.stderr).toBe('');
    expect(cli.printed.code).toBe(0);
    expect(vocabulary.length).toBeGreaterThanOrEqual(8);
    for (const entry of vocabulary) expect(Object.keys(entry)).toEqual(['word', 'lemma', 'pos', 'definition', 'sentence']);
    expect(vocabulary.map((e) => e.word)).not.toContain('Hegseth');
    expect(cli.missing.code).toBe(1);
  });

  it('/lesson vocab lists the words privately, share:true publicly; the card shows the level', async () => {
    const reply = (await discord.sendCommand({ name: 'lesson', subcommand: 'vocab', user: ann, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
    expectSafe(reply);
    expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
    const text = (reply.embeds ?? []).map((e) => e.description).join('\n');
    for (const entry of vocabulary) expect(text).toContain(`**${entry.word}**`);
    expect(reply.embeds?.[0]?.footer?.text).toMatch(/^Level: B2/u);
    const shared = (await discord.sendCommand({ name: 'lesson', subcommand: 'vocab', options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal()).data as Data;
    expect((shared.flags ?? 0) & EPHEMERAL).toBe(0);
    const card = (await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal()).data as Data;
    expect(card.embeds?.[0]?.fields?.find((f) => f.name === 'Level')?.value).toMatch(/^B2/u);
  }, 60_000);

  it('the card’s Vocabulary and Quiz buttons answer whoever clicks, privately', async () => {
    const card = await discord.sendCommand({ name: 'lesson', subcommand: 'show', options: [{ name: 'lesson', value: REFERENCE_ID }, { name: 'share', value: true }] }).waitForFinal();
    const ids = buttons(card.data as Data);
    const vocabButton = ids.find((b) => b.label === 'Vocabulary')!;
    expect(decodeVocabularyId(vocabButton.custom_id!)).toEqual({ action: 'vocab', lessonId: REFERENCE_ID });
    const list = (await discord.sendButton({ customId: vocabButton.custom_id!, message: card.message!, user: bob }).waitForFinal()).data as Data;
    expect(list.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(list.embeds?.[0]?.description).toContain(vocabulary[0]!.word);
    const quizButton = ids.find((b) => b.label === 'Quiz')!;
    const quiz = (await discord.sendButton({ customId: quizButton.custom_id!, message: card.message!, user: bob }).waitForFinal()).data as Data;
    expect(quiz.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(quiz.embeds?.[0]?.description).toContain(BLANK.replace(/_/gu, '\\_'));
    expect(buttons(quiz)).toHaveLength(4);
  });

  it('a quiz goes one question at a time, refuses other members, ends with the score, and can be taken again', async () => {
    const start = await discord.sendCommand({ name: 'lesson', subcommand: 'quiz', user: ann, options: [{ name: 'lesson', value: REFERENCE_ID }] }).waitForFinal();
    let data = start.data as Data;
    let message = start.message!;
    expectSafe(data);
    expect(data.flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(data.embeds?.[0]?.footer?.text).toContain('Attempt 1');
    const total = Number(/Question 1 of (\d)/u.exec(data.embeds?.[0]?.description ?? '')?.[1]);
    expect(total).toBeGreaterThanOrEqual(3);
    expect(total).toBeLessThanOrEqual(5);

    // Bob clicks Ann's first answer: refused privately, Ann's question untouched.
    const refused = await discord.sendButton({ customId: buttons(data)[0]!.custom_id!, message, user: bob }).waitForFinal();
    expect(refused.type).not.toBe(7);
    expect((refused.data as Data).flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect((refused.data as Data).content).toContain("another member's");
    expect((refused.data as Data).content).not.toContain(ann.id);

    let right = 0;
    for (let i = 0; i < total; i++) {
      const description = data.embeds?.[0]?.description ?? '';
      expect(description).toContain(`Question ${i + 1} of ${total}`);
      const prompt = /^> (.*)$/mu.exec(description)?.[1]?.replace(/\\(.)/gu, '$1') ?? '';
      const labels = buttons(data).map((b) => b.label!);
      // The answer is the choice that restores one of the lesson's sentences word for word.
      const answer = labels.find((label) => vocabulary.some((e) => e.sentence === prompt.replaceAll(BLANK, label)));
      expect(answer).toBeDefined();
      const pickRight = i === 0;
      const choice = pickRight ? labels.indexOf(answer!) : labels.findIndex((l) => l !== answer);
      const customId = buttons(data)[choice]!.custom_id!;
      // The first answer is a double click: whichever edit lands last, the message keeps the feedback.
      const clicks = await Promise.all(
        Array.from({ length: i === 0 ? 2 : 1 }, () => discord.sendButton({ customId, message, user: ann }).waitForFinal()),
      );
      const clicked = clicks.at(-1)!;
      data = clicked.data as Data;
      message = clicked.message ?? message;
      for (const each of clicks) {
        expectSafe(each.data as Data);
        const feedback = (each.data as Data).embeds?.[0]?.description ?? '';
        expect(feedback).toContain(pickRight ? `✅ Right: **${answer}**` : `the answer is **${answer}**`);
      }
      if (pickRight) right++;
    }
    expect(data.embeds?.[0]?.description).toContain(`Quiz finished: ${right}/${total}`);
    expect(buttons(data).map((b) => b.label)).toEqual(['Try again']);

    const again = (await discord.sendButton({ customId: buttons(data)[0]!.custom_id!, message, user: ann }).waitForFinal()).data as Data;
    expect(again.embeds?.[0]?.footer?.text).toContain('Attempt 2');
    expect(again.embeds?.[0]?.description).toContain(`Question 1 of`);
  });
  it('two members’ scores survive a restart mid-quiz, second attempts count, and /progress and the export show what was recorded', async () => {
    /** Answers every question on the message: right where `right(i)` says so. Between answers, `between(i)` may restart the bot. */
    async function take(user: typeof cleo, entries: readonly Entry[], first: InteractionResponseEvent, right: (i: number) => boolean, between?: (i: number) => Promise<void>) {
      let data = first.data as Data;
      let message = first.message!;
      const { total } = questionOn(data);
      expect(total).toBeGreaterThanOrEqual(3);
      expect(total).toBeLessThanOrEqual(5);
      let score = 0;
      for (let i = 0; i < total; i++) {
        const question = questionOn(data);
        expect(question.number).toBe(i + 1);
        // Four distinct buttons; the prompt has one blank; the answer rebuilds a sentence of the lesson.
        expect(new Set(question.labels.map((l) => l.toLowerCase())).size).toBe(4);
        expect(question.prompt.split(BLANK)).toHaveLength(2);
        const answer = answerOf(question.prompt, question.labels, entries);
        expect(answer).toBeDefined();
        const choice = right(i) ? question.labels.indexOf(answer!) : question.labels.findIndex((l) => l !== answer);
        await between?.(i);
        const clicked = await discord.sendButton({ customId: buttons(data)[choice]!.custom_id!, message, user }).waitForFinal();
        data = clicked.data as Data;
        message = clicked.message ?? message;
        expectSafe(data);
        expect(data.embeds?.[0]?.description).toContain(right(i) ? `✅ Right: **${answer}**` : `the answer is **${answer}**`);
        if (right(i)) score++;
      }
      expect(data.embeds?.[0]?.description).toContain(`Quiz finished: ${score}/${total}`);
      return { score, total, data, message };
    }
    const quiz = (user: typeof cleo, lesson: string) =>
      discord.sendCommand({ name: 'lesson', subcommand: 'quiz', user, options: [{ name: 'lesson', value: lesson }] }).waitForFinal();

    // Cleo: right, wrong, right, …; the bot restarts before her second answer, which her old message still takes.
    // A clean stop and start of the file's bot: the tests after this one get the fresh process.
    const cleoQuiz = await take(cleo, vocabulary, await quiz(cleo, REFERENCE_ID), (i) => i % 2 === 0, async (i) => {
      if (i !== 1) return;
      expect(await bot!.stop()).toBe(0);
      bot = await startBotProcess(env);
    });
    // Dev: the economy lesson twice; all right, then only the first right. The second is attempt 2.
    const devFirst = await take(dev, economyVocabulary, await quiz(dev, ECONOMY_ID), () => true);
    expect(devFirst.data.embeds?.[0]?.footer?.text).toContain('Attempt 1');
    const again = await discord.sendButton({ customId: buttons(devFirst.data)[0]!.custom_id!, message: devFirst.message, user: dev }).waitForFinal();
    expect((again.data as Data).embeds?.[0]?.footer?.text).toContain('Attempt 2');
    const devSecond = await take(dev, economyVocabulary, again, (i) => i === 0);
    expect(devSecond.data.embeds?.[0]?.footer?.text).toContain('Attempt 2');

    const progress = async (user: typeof cleo, member?: typeof cleo) =>
      (await discord.sendCommand({ name: 'progress', user, options: member ? [{ name: 'member', value: member.id }] : [] }).waitForFinal()).data as Data;
    const percent = (ratios: number[]) => `${Math.round((ratios.reduce((a, b) => a + b, 0) / ratios.length) * 100)}%`;
    expect(quizFigures(await progress(cleo))).toBe(
      [`Quizzes taken: 1`, `Average score: ${percent([cleoQuiz.score / cleoQuiz.total])}`, `Words met: ${vocabulary.length}`].join('\n'),
    );
    expect(quizFigures(await progress(dev))).toBe(
      [
        `Quizzes taken: 2`,
        `Average score: ${percent([devFirst.score / devFirst.total, devSecond.score / devSecond.total])}`,
        `Words met: ${economyVocabulary.length}`,
      ].join('\n'),
    );
    // Another member's /progress shows no quiz figures.
    expect(quizFigures(await progress(cleo, dev))).toBeUndefined();

    // What was recorded, as the member's own export shows it: each attempt, each answer and its time.
    const exported = await discord.sendCommand({ name: 'privacy', subcommand: 'export', user: dev }).waitForFinal();
    const tables = (JSON.parse(exported.files[0]!.data.toString('utf8')) as { tables: Record<string, Record<string, unknown>[]> }).tables;
    const attempts = [...(tables.quiz_attempts ?? [])].sort((a, b) => Number(a.attempt_number) - Number(b.attempt_number));
    expect(attempts.map((a) => [a.lesson_id, a.attempt_number, a.score, a.question_count])).toEqual([
      [ECONOMY_ID, 1, devFirst.score, devFirst.total],
      [ECONOMY_ID, 2, devSecond.score, devSecond.total],
    ]);
    expect(attempts.every((a) => typeof a.finished_at === 'string')).toBe(true);
    const answers = tables.quiz_questions ?? [];
    expect(answers).toHaveLength(devFirst.total + devSecond.total);
    expect(answers.filter((q) => q.correct === true)).toHaveLength(devFirst.score + devSecond.score);
    expect(answers.every((q) => typeof q.answered_at === 'string' && q.chosen !== null)).toBe(true);
  }, 120_000);
});

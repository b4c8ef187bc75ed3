import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import { downloadAttachment, safeFileName } from '../src/discord/attachments.js';
import type { CommandDefinition, SubcommandDefinition } from '../src/discord/command-definition.js';
import { defineCommand } from '../src/discord/command-module.js';
import { clip, decodeCustomId, safeText, visibleOr } from '../src/domain/discord-format/index.js';
import { decodeCatchupId } from '../src/domain/progress/catchup-ids.js';
import { renderLessonCard } from '../src/lessons/card-view.js';
import { renderImportOutcome } from '../src/lessons/import-view.js';
import { renderLessonPage } from '../src/lessons/pages-view.js';
import { renderCatchup } from '../src/reading/catchup-view.js';
import { LESSON_GONE } from '../src/lessons/service.js';
import type { Services } from '../src/services.js';
import { decodeVocabularyId } from '../src/domain/vocabulary/custom-id.js';
import { latestAnswer } from '../src/vocabulary/quiz-service.js';
import { quizRefusal, renderQuiz, renderVocabulary } from '../src/vocabulary/views.js';
import { decodeDiscoveryId, SEARCH_QUERY_MAX } from '../src/domain/discovery/custom-ids.js';
import { LESSON_LIMITS } from '../src/domain/lesson.js';
import { renderRelated, renderSearchPage } from '../src/discovery/views.js';
import { UserError } from '../src/user-error.js';

const lessonOption = {
  type: ApplicationCommandOptionType.String,
  name: 'lesson',
  description: 'Which lesson (type to search titles, or paste an ID); default: today’s',
  autocomplete: true,
  max_length: 100,
} as const;

const shareOption = {
  type: ApplicationCommandOptionType.Boolean,
  name: 'share',
  description: 'Post it in the channel for everyone (default: only you see it)',
} as const;

const lessonToday = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'today',
  description: 'Today’s lesson card: summary, reading time and buttons',
  options: [shareOption],
} as const satisfies SubcommandDefinition;

const lessonDialogue = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'dialogue',
  description: 'The full learner dialogue that retells the article',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

const lessonArticle = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'article',
  description: 'The full news article',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

const lessonRelated = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'related',
  description: 'Related readings for a lesson',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

const lessonShow = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'show',
  description: 'The card of any lesson in the library',
  options: [{ ...lessonOption, required: true, description: 'Which lesson (type to search titles, or paste an ID)' }, shareOption],
} as const satisfies SubcommandDefinition;

const lessonCatchup = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'catchup',
  description: 'Lessons posted in this server that you have not read yet, newest first',
} as const satisfies SubcommandDefinition;

const lessonVocab = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'vocab',
  description: 'The lesson’s words worth learning, with definitions and where they appear',
  options: [lessonOption, shareOption],
} as const satisfies SubcommandDefinition;

const lessonQuiz = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'quiz',
  description: 'A short private quiz on the lesson’s vocabulary',
  options: [lessonOption],
} as const satisfies SubcommandDefinition;

const lessonSearch = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'search',
  description: 'Find lessons by what they are about (title, summary, article)',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'query',
      description: 'Words to find; "quoted words" together; the start of a word is enough',
      required: true,
      min_length: 1,
      max_length: SEARCH_QUERY_MAX,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'category',
      description: 'Only lessons of this category (for example nhk)',
      autocomplete: true,
      max_length: LESSON_LIMITS.category,
    },
  ],
} as const satisfies SubcommandDefinition;

const lessonImport = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'import',
  description: 'Moderators: add lessons from an export or JSON file',
  options: [{ type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'A lesson export (.txt) or JSON file', required: true }],
} as const satisfies SubcommandDefinition;

/** `/lesson`: what members use to read (and moderators use to import). */
const lessonCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'lesson',
  description: 'Read today’s news lesson: card, dialogue, article and related readings',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [lessonToday, lessonDialogue, lessonArticle, lessonRelated, lessonShow, lessonSearch, lessonCatchup, lessonVocab, lessonQuiz, lessonImport],
} as const satisfies CommandDefinition;

async function vocabularyOf(services: Services, lessonId: string) {
  const vocabulary = await services.vocabulary.list(lessonId);
  if (!vocabulary) throw new UserError(LESSON_GONE);
  return vocabulary;
}

async function startQuiz(services: Services, member: { guildId: string; userId: string }, lesson: { id: string; title: string }) {
  const outcome = await services.vocabulary.startQuiz(member, lesson.id);
  if (outcome.kind === 'no-vocabulary') throw new UserError(LESSON_GONE);
  if (outcome.kind === 'too-few-words') throw new UserError(quizRefusal(outcome.words));
  return renderQuiz(lesson.title, outcome.state);
}

/** Lesson exports are a few kilobytes; a JSON file of many lessons stays well under this. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
const TEXT_TYPES = /^(text\/plain|application\/json|text\/json)\b/iu;
const LESSON_FILE = /\.(txt|json)$/iu;

/** Replies are private unless the member asks to share them. */
const privateUnlessShared = (options: { share?: boolean }) => options.share !== true;

/**
 * `/lesson` and the lesson buttons (on cards, daily posts and pages, for anyone who clicks them).
 * Everything a click needs is in its custom id, so buttons work on old posts and after restarts.
 */
export const lessonModule = defineCommand(lessonCommand, {
  outsideServer: 'Lessons are read in a server: use this command there.',
  subcommands: {
    today: {
      ephemeral: privateUnlessShared,
      run: async ({ services, guildId, reply }) => {
        const { stored, readers, lastReadAt } = await services.lessons.todaysCard(guildId);
        await reply.send(renderLessonCard(stored, readers, lastReadAt));
      },
    },
    show: {
      ephemeral: privateUnlessShared,
      run: async ({ options, services, guildId, reply }) => {
        const { stored, readers, lastReadAt } = await services.lessons.card(guildId, options.lesson);
        await reply.send(renderLessonCard(stored, readers, lastReadAt));
      },
    },
    dialogue: {
      ephemeral: privateUnlessShared,
      run: async ({ options, services, guildId, userId, reply }) => {
        const stored = await services.lessons.requestedWith(guildId, options.lesson, 'dialogue');
        await services.reading.opened({ guildId, userId }, stored, 'dialogue');
        await reply.send(renderLessonPage(stored, 'dialogue', 1, options.share ?? false));
      },
    },
    article: {
      ephemeral: privateUnlessShared,
      run: async ({ options, services, guildId, userId, reply }) => {
        const stored = await services.lessons.requestedWith(guildId, options.lesson, 'article');
        await services.reading.opened({ guildId, userId }, stored, 'article');
        await reply.send(renderLessonPage(stored, 'article', 1, options.share ?? false));
      },
    },
    related: {
      ephemeral: privateUnlessShared,
      run: async ({ options, services, guildId, userId, reply }) => {
        const stored = await services.lessons.requested(guildId, options.lesson);
        const related = await services.discovery.related(stored.lesson.id, { guildId, userId });
        await reply.send(renderRelated(stored, related, { shared: options.share === true }));
      },
    },
    catchup: async ({ services, guildId, userId, reply }) => {
      await reply.send(renderCatchup(await services.reading.catchup({ guildId, userId, page: 1 })));
    },
    vocab: {
      ephemeral: privateUnlessShared,
      run: async ({ options, services, guildId, reply }) => {
        const stored = await services.lessons.requested(guildId, options.lesson);
        await reply.send(renderVocabulary(stored.lesson, await vocabularyOf(services, stored.lesson.id), 1, options.share ?? false));
      },
    },
    quiz: async ({ options, services, guildId, userId, reply }) => {
      const stored = await services.lessons.requested(guildId, options.lesson);
      await reply.send(await startQuiz(services, { guildId, userId }, stored.lesson));
    },
    search: async ({ options, services, reply }) => {
      const page = await services.discovery.search(options.query, options.category);
      await reply.send(renderSearchPage(page, { query: options.query.trim(), category: options.category?.trim() ?? '' }));
    },
    import: {
      moderatorOnly: true,
      run: async ({ options: { file }, services, guildId, userId, reply }) => {
        services.lessons.assertMayImport(guildId);
        if (file.size > MAX_IMPORT_BYTES) {
          throw new UserError(
            `That file is ${Math.ceil(file.size / 1024)} KiB; lesson files may be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB.`,
          );
        }
        const typeOk = file.contentType ? TEXT_TYPES.test(file.contentType) : false;
        if (!typeOk && !LESSON_FILE.test(file.name)) throw new UserError('Upload a lesson export (.txt) or a JSON lesson file (.json).');
        await reply.defer();
        const bytes = await downloadAttachment(file, MAX_IMPORT_BYTES);
        const name = safeFileName(file);
        const outcome = await services.lessons.importUpload(name, bytes);
        if (outcome.ok) {
          services.logger.info({ guildId, userId, file: name, ...outcome.counts }, 'lessons imported from Discord');
          // Before answering (the reply is deferred): once "imported" is said, cards show their level and
          // a preview equals the post. Computed in the worker thread, so other members are not held up.
          await services.vocabulary.afterImport(outcome.lessons.map((parsed) => parsed.lesson.id), guildId);
        }
        await reply.send(renderImportOutcome(name, outcome));
      },
    },
  },
  autocomplete: {
    lesson: ({ value, services }) => services.lessons.choices(value),
    category: ({ value, services }) => services.discovery.categoryChoices(value),
  },
  buttons: {
    prefix: 'l',
    // Lesson buttons, catch-up, vocabulary, and search paging (discovery's related and search results open
    // cards with catch-up's `l:o:` card button).
    decode: (customId: string) =>
      decodeCustomId(customId) ?? decodeCatchupId(customId) ?? decodeVocabularyId(customId) ?? decodeDiscoveryId(customId),
    handlers: {
      // From the catch-up list: the lesson's card, privately.
      card: async ({ button, services, guildId, reply }) => {
        const { stored, readers, lastReadAt } = await services.lessons.cardOf(button.lessonId, guildId);
        await reply.send(renderLessonCard(stored, readers, lastReadAt));
      },
      // Paging the catch-up list edits it in place (it is the clicker's own private message).
      catchup: {
        update: true,
        run: async ({ button, services, guildId, userId, reply }) => {
          const at = 'from' in button ? { from: button.from } : { page: button.page };
          await reply.send(renderCatchup(await services.reading.catchup({ guildId, userId, ...at })));
        },
      },
      vocab: async ({ button, services, reply }) => {
        const stored = await services.lessons.byId(button.lessonId);
        await reply.send(renderVocabulary(stored.lesson, await vocabularyOf(services, stored.lesson.id), 1, false));
      },
      'vocab-page': {
        update: (button) => !button.shared,
        run: async ({ button, services, reply }) => {
          const stored = await services.lessons.byId(button.lessonId);
          await reply.send(renderVocabulary(stored.lesson, await vocabularyOf(services, stored.lesson.id), button.page, false));
        },
      },
      quiz: async ({ button, services, guildId, userId, reply }) => {
        const stored = await services.lessons.byId(button.lessonId);
        await reply.send(await startQuiz(services, { guildId, userId }, stored.lesson));
      },
      answer: {
        // The answer replaces the question in the member's private quiz message.
        update: true,
        run: async ({ button, services, guildId, userId, reply }) => {
          const outcome = await services.vocabulary.answer({ ...button, guildId, userId });
          if (outcome.kind === 'unknown') throw new UserError('This quiz is no longer available. Start a new one with `/lesson quiz`.');
          // A refusal is a new private message (Reply.fail), never an edit of the owner's quiz.
          if (outcome.kind === 'not-yours') {
            throw new UserError('This quiz is another member\'s. Start your own with `/lesson quiz` or the **Quiz** button.');
          }
          const stored = await services.lessons.byId(outcome.state.attempt.lessonId);
          await reply.send(renderQuiz(stored.lesson.title, outcome.state, outcome.kind === 'answered' ? outcome.question : latestAnswer(outcome.state)));
        },
      },
      dialogue: async ({ button, services, guildId, userId, reply }) => {
        const stored = await services.lessons.byIdWith(button.lessonId, 'dialogue');
        await services.reading.opened({ guildId, userId }, stored, 'dialogue');
        await reply.send(renderLessonPage(stored, 'dialogue', 1, false));
      },
      article: async ({ button, services, guildId, userId, reply }) => {
        const stored = await services.lessons.byIdWith(button.lessonId, 'article');
        await services.reading.opened({ guildId, userId }, stored, 'article');
        await reply.send(renderLessonPage(stored, 'article', 1, false));
      },
      related: async ({ button, services, guildId, userId, reply }) => {
        const stored = await services.lessons.byId(button.lessonId);
        await reply.send(renderRelated(stored, await services.discovery.related(stored.lesson.id, { guildId, userId })));
      },
      search: {
        // Search results are private: paging edits them in place.
        update: true,
        run: async ({ button, services, reply }) => {
          const page = await services.discovery.searchPage(button.query, button.category, button.page);
          await reply.send(renderSearchPage(page, { query: button.query, category: page.category ?? '' }));
        },
      },
      read: async ({ button, services, guildId, userId, reply }) => {
        const stored = await services.lessons.byId(button.lessonId);
        const outcome = await services.reading.finished({ guildId, userId }, stored);
        await reply.send({
          content: outcome.firstFinish
            ? `✅ Marked **${clip(safeText(visibleOr(stored.lesson.title, '(untitled)')), 200)}** as read. Well done!`
            : '✅ You already marked this lesson as read.',
        });
      },
      page: {
        // Paging edits a private message in place; on a shared message it answers the clicker privately,
        // with a private copy whose own buttons then page in place.
        update: (button) => !button.shared,
        run: async ({ button, services, guildId, userId, reply }) => {
          const stored = await services.lessons.byIdWith(button.lessonId, button.kind);
          // Paging a shared text opens it for the clicker (a private copy), as its button on the card does: a read.
          // A private message's pages are its owner's, who opened the text already.
          if (button.shared) await services.reading.opened({ guildId, userId }, stored, button.kind);
          await reply.send(renderLessonPage(stored, button.kind, button.page, false));
        },
      },
    },
  },
});

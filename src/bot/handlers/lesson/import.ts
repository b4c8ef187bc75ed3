import type { ChatInputCommandInteraction } from 'discord.js';
import { lessonImport } from '../../../../commands/lesson.js';
import { clip, safeText } from '../../../domain/discord-format/index.js';
import { formatCounts, formatProblem, importLessons, parseSources } from '../../../library/import.js';
import { decodeText, SourceError } from '../../../library/sources.js';
import { UserError } from '../../../user-error.js';
import { readOptions } from '../../command-options.js';
import { requireModerator } from '../../moderation.js';
import type { Reply } from '../../reply.js';
import type { HandlerDeps } from '../deps.js';

/** Lesson exports are a few kilobytes; a JSON file of many lessons stays well under this. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 15_000;
const TEXT_TYPES = /^(text\/plain|application\/json|text\/json)\b/iu;
const LESSON_FILE = /\.(txt|json)$/iu;

/**
 * `/lesson import`: the CLI's import from an uploaded file, moderators only. Same parser, same
 * validation, same single transaction: an invalid file writes nothing and every problem is listed.
 */
export async function importLessonFile(deps: HandlerDeps, interaction: ChatInputCommandInteraction, reply: Reply): Promise<void> {
  const guildId = await requireModerator(interaction, deps.db);
  const { file } = readOptions(interaction, lessonImport);
  if (file.size > MAX_IMPORT_BYTES) {
    throw new UserError(`That file is ${Math.ceil(file.size / 1024)} KiB; lesson files may be at most ${MAX_IMPORT_BYTES / 1024 / 1024} MiB.`);
  }
  const typeOk = file.contentType ? TEXT_TYPES.test(file.contentType) : false;
  if (!typeOk && !LESSON_FILE.test(file.name)) {
    throw new UserError('Upload a lesson export (.txt) or a JSON lesson file (.json).');
  }
  await reply.defer();
  const bytes = await download(file.url);
  const name = file.name.replace(/[^\w.-]+/gu, '_').slice(0, 100) || 'upload';
  let text: string;
  try {
    text = decodeText(name, bytes);
  } catch (error) {
    if (error instanceof SourceError) throw new UserError(safeText(error.message));
    throw error;
  }
  const batch = parseSources([{ path: name, text }], { importTimeZone: deps.config.IMPORT_TIMEZONE });
  if (!batch.ok) {
    const problems = batch.problems.map(formatProblem);
    await reply.send({
      embeds: [
        {
          title: `❌ Nothing imported: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${safeText(name)}`,
          description: clip(problems.map((line) => `• ${safeText(line)}`).join('\n'), 4000),
          color: 0xe74c3c,
        },
      ],
    });
    return;
  }
  const counts = await importLessons(deps.db, batch.lessons.map((parsed) => parsed.lesson));
  deps.logger.info({ guildId, userId: interaction.user.id, file: name, ...counts }, 'lessons imported from Discord');
  const titles = batch.lessons.map((parsed) => `• ${safeText(parsed.lesson.title)} (${parsed.lesson.date})`);
  await reply.send({
    embeds: [
      {
        title: `✅ ${formatCounts(counts)}`,
        description: clip(titles.join('\n'), 4000),
        color: 0x2ecc71,
      },
    ],
  });
}

async function download(url: string): Promise<Uint8Array> {
  if (!/^https?:\/\//u.test(url)) throw new UserError('That attachment cannot be downloaded.');
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch(() => {
    throw new UserError('I could not download that file from Discord. Please try again.');
  });
  if (!response.ok) throw new UserError('I could not download that file from Discord. Please try again.');
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MAX_IMPORT_BYTES) throw new UserError('That file is too large to be a lesson file.');
  return bytes;
}

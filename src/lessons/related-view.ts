import type { LibraryLesson } from '../db/lessons.js';
import { clip, EMBED_DESCRIPTION_MAX, safeText, safeUrl } from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import { lessonButtons, toApiEmbed } from './card-view.js';

/** Related readings: the export's similar-reading titles, marking those that are lessons in this library. */
export function renderRelated(stored: LibraryLesson, inLibrary: ReadonlyMap<string, string>): ReplyPayload {
  const titles = stored.lesson.similarReadings;
  const lines = titles.map((title) => {
    const lessonId = inLibrary.get(title.toLowerCase());
    return `• ${safeText(title)}${lessonId ? ` — in the library: \`/lesson show lesson:${lessonId}\`` : ''}`;
  });
  const url = safeUrl(stored.lesson.url);
  const embed = toApiEmbed({
    title: clip(`🔗 Related to: ${safeText(stored.lesson.title)}`, 256),
    ...(url ? { url } : {}),
    description:
      lines.length > 0
        ? clip(lines.join('\n'), EMBED_DESCRIPTION_MAX)
        : 'This lesson lists no related readings.',
    footer: { text: `${titles.length} related reading${titles.length === 1 ? '' : 's'}` },
  });
  return { embeds: [embed], components: [lessonButtons(stored.lesson.id)] };
}

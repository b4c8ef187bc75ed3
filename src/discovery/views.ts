import { ButtonStyle, ComponentType, type APIButtonComponent } from 'discord.js';
import type { LibraryLessonHead } from '../db/lessons.js';
import { clip, EMBED_DESCRIPTION_MAX, neutralizeMentions, plainText, safeText, safeUrl, visibleOr } from '../domain/discord-format/index.js';
import { categoryInId, SEARCH_PAGE_MAX, searchPagingIds } from '../domain/discovery/custom-ids.js';
import { termsText } from '../domain/discovery/text-query.js';
import { encodeCatchupId } from '../domain/progress/catchup-ids.js';
import type { ReplyPayload } from '../discord/reply.js';
import { lessonButtons, toApiEmbed, type ButtonRow } from '../lessons/card-view.js';
import type { RelatedReadings } from './related.js';
import type { FoundLesson, SearchBound, SearchPage } from './search.js';

/**
 * One button per listed lesson ("1 · Title…"), opening its card: Discord allows five in a row. Numbered as the list
 * numbers them: a search's page 2 lists 6–10, and its buttons said 1–5 until 2026-12-07.
 */
function openButtons(lessons: readonly FoundLesson[], firstNumber = 1): ButtonRow {
  return {
    type: ComponentType.ActionRow,
    components: lessons.slice(0, 5).map(
      (lesson, index): APIButtonComponent => ({
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        // Labels are not markdown, but mentions and bidi overrides are still taken out; Discord allows 80 characters.
        label: clip(neutralizeMentions(plainText(`${firstNumber + index} · ${lesson.title}`)), 40),
        custom_id: encodeCatchupId({ action: 'card', lessonId: lesson.id }),
      }),
    ),
  };
}

function lessonLine(index: number, lesson: FoundLesson, extra: string): string {
  return `**${index + 1}.** ${clip(safeText(visibleOr(lesson.title, '(untitled)')), 300)} · ${lesson.date}${extra}`;
}

/**
 * Related readings: the lessons the export's similar readings name, then similar ones by content, each
 * with its date and whether this member has read it, opened by the numbered buttons; then the
 * similar-reading titles that are not in the library, without a link. A shared list (`share:true`) is read
 * by everyone in the channel, so it shows no one's read marks: its **Related** button gives each member
 * their own.
 */
export function renderRelated(stored: LibraryLessonHead, related: RelatedReadings, options: { shared?: boolean } = {}): ReplyPayload {
  const shared = options.shared === true;
  const lines = related.lessons.map((lesson, index) =>
    lessonLine(index, lesson, `${lesson.read && !shared ? ' · ✅ read' : ''}${lesson.reason === 'content' ? ' · similar topic' : ''}`),
  );
  const missing = related.notInLibrary.map((title) => `• ${clip(safeText(title), 300)}`);
  const parts: string[] = [];
  if (lines.length > 0) parts.push(lines.join('\n'));
  else parts.push('No lesson in the library is related to this one yet.');
  if (missing.length > 0) parts.push(`**Not in the library**\n${missing.join('\n')}`);
  const url = safeUrl(stored.lesson.url);
  const footer =
    related.lessons.length === 0
      ? 'Lessons appear here as the library grows.'
      : shared
        ? 'Press a number to open that lesson’s card, or Related to see which you have read.'
        : 'Press a number to open that lesson’s card.';
  const embed = toApiEmbed({
    title: clip(`🔗 Related to: ${safeText(visibleOr(stored.lesson.title, '(untitled)'))}`, 256),
    ...(url ? { url } : {}),
    description: clip(parts.join('\n\n'), EMBED_DESCRIPTION_MAX),
    footer: { text: footer },
  });
  const components = related.lessons.length > 0 ? [openButtons(related.lessons)] : [];
  return { embeds: [embed], components: [...components, lessonButtons(stored)] };
}

/** One page of `/lesson search`: numbered results with buttons to open each, and Previous / Next. */
export function renderSearchPage(page: SearchPage, idQuery: { query: string; category: string }): ReplyPayload {
  const heading = `🔎 ${clip(safeText(page.query), 200)}${page.category ? ` · ${safeText(page.category)}` : ''}`;
  if (page.results.length === 0) {
    return {
      embeds: [
        toApiEmbed({
          title: clip(heading, 256),
          description:
            page.page === 1
              ? page.onlyCommonWords
                ? 'Those words are too common to search for (the, of, is…). Try a word about the topic: a name, a place, a thing.'
                : 'No lesson matches that. Try other words, or fewer of them.'
              : 'No more results.',
        }),
      ],
      components: page.page > 1 ? [pagingRow(page, idQuery)].filter((row) => row !== null) : [],
    };
  }
  const offset = (page.page - 1) * page.pageSize;
  const lines = page.results.map(
    (lesson, index) => `**${offset + index + 1}.** ${clip(safeText(visibleOr(lesson.title, '(untitled)')), 300)} · ${lesson.date} · ${safeText(lesson.category)}`,
  );
  const note = [...(page.partial ? ['No lesson has all of these words; these have some of them.'] : []), ...(page.bound ? [boundNote(page.bound)] : [])];
  if (note.length > 0) note.push('');
  const paging = page.page > 1 || page.hasNext ? pagingRow(page, idQuery) : null;
  const more = page.hasNext && !paging ? ' · more match: search in fewer characters to page through them' : '';
  const embed = toApiEmbed({
    title: clip(heading, 256),
    description: clip([...note, ...lines].join('\n'), EMBED_DESCRIPTION_MAX),
    footer: { text: `Page ${page.page}${page.hasNext ? '' : ' (last)'} · press a number to open that lesson’s card${more}` },
  });
  const rows: ButtonRow[] = [openButtons(page.results, offset + 1)];
  if (paging) rows.push(paging);
  return { embeds: [embed], components: rows };
}

const NUMBER = new Intl.NumberFormat('en-US');

/** What a member is told of a search that more lessons match than it ranks (the count is a floor: "more than"). */
function boundNote(bound: SearchBound): string {
  const ranked =
    bound.tier === 'head'
      ? `these are the best of the newest ${NUMBER.format(bound.newest)}`
      : `after those with these words in their title or summary come the best of the newest ${NUMBER.format(bound.newest)} others`;
  return `More than ${NUMBER.format(bound.moreThan)} lessons match: ${ranked}. Add a word to narrow the search.`;
}

/** Previous / Next, or null when the ids cannot carry the search (searchPagingIds): the first page is then all there is. */
function pagingRow(page: SearchPage, idQuery: { query: string; category: string }): ButtonRow | null {
  const previous = page.page > 1 ? page.page - 1 : page.page;
  const next = page.hasNext && page.page < SEARCH_PAGE_MAX ? page.page + 1 : page.page;
  // Disabled buttons still need ids, distinct within the message.
  const ids = searchPagingIds({ category: categoryInId(idQuery.category), query: idQuery.query, terms: termsText(idQuery.query) }, [previous, next]);
  if (!ids) return null;
  const [previousId, nextId] = ids as [string, string];
  return {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: 'Previous',
        emoji: { name: '◀️' },
        custom_id: previousId,
        disabled: page.page <= 1,
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: 'Next',
        emoji: { name: '▶️' },
        custom_id: nextId,
        disabled: !page.hasNext || page.page >= SEARCH_PAGE_MAX,
      },
    ],
  };
}

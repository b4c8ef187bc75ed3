import { DateTime } from 'luxon';
import { readingMinutes, type Lesson } from '../lesson.js';
import { embedLength, type EmbedData, type EmbedField } from './embed.js';
import { clip, safeText, visibleOr } from './escape.js';
import {
  EMBED_DESCRIPTION_MAX,
  EMBED_FIELD_NAME_MAX,
  EMBED_FIELD_VALUE_MAX,
  EMBED_FOOTER_TEXT_MAX,
  EMBED_TITLE_MAX,
  EMBEDS_TOTAL_MAX,
} from './limits.js';
import { maskedLink, safeUrl } from './links.js';

export interface LessonCardStats {
  /** Members of this server who have read the lesson. */
  readonly readers: number;
  /** When a member of this server last read it (shown as a Discord relative timestamp). */
  readonly lastReadAt?: Date | null;
  readonly articleWords: number;
  readonly dialogueWords: number;
  /** The estimated level, already worded ("B2 · upper intermediate (…)"); omitted until computed. */
  readonly level?: string;
}

/** Footer of the daily card: tells people what the buttons are for. */
export const CARD_FOOTER = 'Use the buttons below to read the article or the dialogue.';
/** Category is a short label; anything longer is a data error, so keep it from crowding the card. */
const CATEGORY_MAX = 100;
const NUMBER = new Intl.NumberFormat('en-US');

/**
 * The daily lesson card. Every text is escaped and cut to its limit, and the description (the
 * summary) is shortened further if needed so the card stays within the 6000-character total
 * whatever the lesson contains.
 */
export function lessonCard(lesson: Pick<Lesson, 'title' | 'url' | 'date' | 'category' | 'summary'>, stats: LessonCardStats): EmbedData {
  const url = safeUrl(lesson.url);
  const words = Math.max(0, stats.articleWords) + Math.max(0, stats.dialogueWords);
  const fields: EmbedField[] = [
    field('Article date', articleDate(lesson.date)),
    field('Category', clip(safeText(oneLine(lesson.category)), CATEGORY_MAX) || '—'),
    field('Words', `${NUMBER.format(words)} (article ${NUMBER.format(stats.articleWords)} · dialogue ${NUMBER.format(stats.dialogueWords)})`),
    field('Reading time', `~${readingMinutes(words)} min`),
    ...(stats.level !== undefined ? [field('Level', stats.level)] : []),
    field('Readers', readersLine(stats.readers, stats.lastReadAt ?? null)),
    field('Source', sourceLink(url)),
  ];
  const title = clip(safeText(visibleOr(oneLine(lesson.title), '')), EMBED_TITLE_MAX) || 'Today’s lesson';
  const card: EmbedData = {
    title,
    ...(url !== null ? { url } : {}),
    description: '',
    fields,
    footer: { text: clip(CARD_FOOTER, EMBED_FOOTER_TEXT_MAX) },
  };
  const room = Math.min(EMBED_DESCRIPTION_MAX, EMBEDS_TOTAL_MAX - embedLength(card));
  const description = clip(safeText(lesson.summary.trim()), room);
  return description === '' ? withoutDescription(card) : { ...card, description };
}

function field(name: string, value: string): EmbedField {
  return { name: clip(name, EMBED_FIELD_NAME_MAX), value: clip(value, EMBED_FIELD_VALUE_MAX), inline: true };
}

function oneLine(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** `31 May 2025`; an unreadable date is shown as given (escaped) rather than hidden. */
/** A lesson's article date as cards show it ("5 March 2024"); what is not a date is shown as it is, escaped. */
export function articleDate(date: string): string {
  // Dates come as YYYY-MM-DD: written here directly, since luxon's formatting (Intl) took ~0.2 ms a card.
  const iso = ISO_DATE.exec(date);
  if (iso) {
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
    if (year >= 1000 && day >= 1 && day <= daysInMonth) return `${day} ${MONTHS[month - 1]} ${iso[1]}`;
  }
  const parsed = DateTime.fromISO(date, { zone: 'utc', locale: 'en-GB' });
  return parsed.isValid ? parsed.toFormat('d LLLL yyyy') : clip(safeText(oneLine(date)), 40) || '—';
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function readersLine(readers: number, lastReadAt: Date | null): string {
  if (!(readers > 0)) return 'Be the first to read this';
  const count = readers === 1 ? '1 member has read this' : `${NUMBER.format(readers)} members have read this`;
  const seconds = lastReadAt ? Math.floor(lastReadAt.getTime() / 1000) : NaN;
  return Number.isFinite(seconds) ? `${count}, last <t:${seconds}:R>` : count;
}

/** A masked link labelled with the site's host name, so the link text cannot lie about where it goes. */
function sourceLink(url: string | null): string {
  if (url === null) return 'Unavailable';
  const host = new URL(url).hostname.replace(/^www\d*\./u, '');
  const link = maskedLink(safeText(host), url);
  return link.length <= EMBED_FIELD_VALUE_MAX ? link : safeText(host);
}

function withoutDescription(card: EmbedData): EmbedData {
  const { description: _empty, ...rest } = card;
  return rest;
}

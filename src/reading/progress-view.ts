import type { APIEmbed } from 'discord.js';
import {
  clip,
  EMBED_FIELD_NAME_MAX,
  EMBED_FIELD_VALUE_MAX,
  EMBED_FIELDS_MAX,
  EMBEDS_TOTAL_MAX,
  embedLength,
  safeText,
  visibleOr,
  type EmbedData,
  type EmbedField,
} from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { ProgressAnswer, ProgressReport } from './progress.js';
import type { ZoneSource } from './zone.js';

const NUMBER = new Intl.NumberFormat('en-US');
const ZONE_SOURCE: Record<ZoneSource, string> = {
  member: 'your setting',
  server: 'this server’s schedule zone',
  utc: 'UTC: no zone set',
};
/** A lesson title in the list: room for 10 of them in one field. */
const TITLE_IN_LIST = 80;

const days = (n: number) => `${NUMBER.format(n)} day${n === 1 ? '' : 's'}`;

/** `12 Jun` for a local date `2026-06-12`. */
function shortDate(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

function field(name: string, value: string, inline = true): EmbedField {
  return { name: clip(name, EMBED_FIELD_NAME_MAX), value: clip(value, EMBED_FIELD_VALUE_MAX) || '—', inline };
}

function streakLine(report: ProgressReport): string {
  const base = days(report.currentStreak);
  if (report.frozenDays.length === 0) return base;
  const kind = report.frozenDays.length === 1 ? 'freeze' : 'freezes';
  // Another member's dates would say which days they read and missed: only their number is shown.
  if (!report.self) return `${base} · 🧊 ${report.frozenDays.length} ${kind} used`;
  return `${base} · 🧊 ${kind} used (${report.frozenDays.map(shortDate).join(', ')})`;
}

/**
 * `/progress`: the counts and streaks; for the member themselves also reading days in the last 7 and
 * the last lessons read; then any sections other features add. Names are mentions (nobody is pinged:
 * every reply sets allowed_mentions to none); lesson titles and section text are escaped.
 */
export function renderProgress(answer: ProgressAnswer, subjectId: string): ReplyPayload {
  if (answer.kind === 'hidden') return { content: `Nothing to show: <@${subjectId}> keeps their reading progress private.` };
  const report = answer.report;
  const fields: EmbedField[] = [
    field('Lessons read', NUMBER.format(report.lessonsRead)),
    field('Words read', NUMBER.format(report.wordsRead)),
    field('Current streak', streakLine(report)),
    field('Best streak', days(report.bestStreak)),
  ];
  if (report.readingDaysLast7 !== null) fields.push(field('Reading days (last 7)', `${report.readingDaysLast7} of 7`));
  if (report.recent !== null) {
    const lines = report.recent.map((lesson) => `\`${lesson.localDate}\` ${clip(safeText(visibleOr(lesson.title.replace(/\s+/gu, ' '), '(untitled)')), TITLE_IN_LIST)}`);
    fields.push(field('Last lessons read', lines.length > 0 ? lines.join('\n') : 'None yet: open today’s lesson with `/lesson today`.', false));
  }
  for (const section of report.sections) {
    fields.push(field(clip(safeText(section.title), EMBED_FIELD_NAME_MAX), section.lines.map((line) => safeText(line)).join('\n'), false));
  }
  const embed: EmbedData = {
    title: report.self ? 'Your reading progress' : 'Reading progress',
    description: report.self ? `<@${report.userId}>` : `<@${report.userId}> (counts and streaks only)`,
    fields: [],
    // Another member's own zone is theirs to keep (it says roughly where they live): their days, in words only.
    footer: {
      text: `${report.self ? `Days are counted in ${report.zone} (${ZONE_SOURCE[report.zoneSource]})` : 'Days are counted in their time zone'}. A missed day is frozen when the day before it was a reading day, at most once a week.`,
    },
  };
  // Fields in order while they fit the 6000-character total; a section that would not fit is left out.
  const kept: EmbedField[] = [];
  for (const candidate of fields) {
    if (kept.length < EMBED_FIELDS_MAX && embedLength({ ...embed, fields: [...kept, candidate] }) <= EMBEDS_TOTAL_MAX) kept.push(candidate);
  }
  return { embeds: [{ ...embed, fields: kept } as APIEmbed] };
}

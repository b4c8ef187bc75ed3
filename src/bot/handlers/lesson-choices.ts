import type { ApplicationCommandOptionChoiceData } from 'discord.js';
import type { Kysely } from 'kysely';
import { searchLessons } from '../../db/lessons.js';
import type { DB } from '../../db/schema.js';
import { truncateAtWord } from '../../domain/lesson.js';

/** Discord allows 25 suggestions of at most 100 characters each. */
export async function lessonChoices(db: Kysely<DB>, query: string): Promise<ApplicationCommandOptionChoiceData<string>[]> {
  const lessons = await searchLessons(db, query.slice(0, 100), 25);
  return lessons.map((lesson) => ({ name: truncateAtWord(`${lesson.date} · ${lesson.title}`, 100), value: lesson.id }));
}

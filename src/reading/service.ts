import type { Kysely } from 'kysely';
import type { LibraryLesson } from '../db/lessons.js';
import { recordReading, type ReadOutcome } from '../db/reading.js';
import type { DB, ReadingKind } from '../db/schema.js';

export interface ReadingDeps {
  readonly db: Kysely<DB>;
  readonly now: () => Date;
}

/** A member of a server: reads are counted per server member. */
export interface Member {
  readonly guildId: string;
  readonly userId: string;
}

export type ReadingService = ReturnType<typeof createReadingService>;

/** Who read what. Opening the dialogue or the article counts as reading; "Mark as read" finishes it. */
export function createReadingService(deps: ReadingDeps) {
  /** One transaction: the event, the member's row and the lesson's counters move together. */
  function record(member: Member, stored: LibraryLesson, kind: ReadingKind): Promise<ReadOutcome> {
    const event = { lessonId: stored.lesson.id, guildId: member.guildId, userId: member.userId, kind, at: deps.now() };
    return deps.db.transaction().execute((trx) => recordReading(trx, event));
  }
  return {
    opened: (member: Member, stored: LibraryLesson, part: 'dialogue' | 'article') => record(member, stored, part),
    finished: (member: Member, stored: LibraryLesson) => record(member, stored, 'finished'),
  };
}

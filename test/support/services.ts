import { pino } from 'pino';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import { createAlerts } from '../../src/delivery/alerts.js';
import { LessonPoster } from '../../src/delivery/poster.js';
import { createServices, type Services } from '../../src/services.js';
import type { VocabularyComputer } from '../../src/vocabulary/computer.js';
import { RecordingChannels } from './recording-channels.js';

export interface ServiceHarness {
  readonly services: Services;
  readonly poster: LessonPoster;
  readonly channels: RecordingChannels;
  /** Moves the services' clock. */
  setNow(iso: string): void;
}

/** The real services over a test database, with a clock the test sets and a channel double for posts (and, given, main.ts's busy check). */
export function createServiceHarness(
  db: Kysely<DB>,
  startAt = '2026-05-02T12:00:00Z',
  vocabularyComputer?: VocabularyComputer,
  databaseBusy?: () => boolean,
): ServiceHarness {
  let now = new Date(startAt);
  const clock = () => now;
  const logger = pino({ level: 'silent' });
  const channels = new RecordingChannels();
  const poster = new LessonPoster({
    db,
    channels,
    logger,
    now: clock,
    alerts: createAlerts({ db, channels, logger, now: clock }),
    processId: 'test-process',
    leaseMs: 60_000,
  });
  return {
    services: createServices({ db, logger, now: clock, importTimeZone: 'UTC', poster, databaseBusy, ...(vocabularyComputer ? { vocabularyComputer } : {}) }),
    poster,
    channels,
    setNow(iso) {
      now = new Date(iso);
    },
  };
}

import type { Client } from 'discord.js';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { LessonPoster } from '../../delivery/poster.js';
import type { Logger } from '../../logger.js';

/** What interaction handlers may use; wired once in main.ts. */
export interface HandlerDeps {
  readonly db: Kysely<DB>;
  readonly logger: Logger;
  readonly config: Config;
  readonly now: () => Date;
  readonly client: Client;
  readonly poster: LessonPoster;
}

import type { Logger } from '../logger.js';
import { settledWithin } from '../settled-within.js';

/**
 * How long the bot's stop waits, once the work in flight is done or SHUTDOWN_TIMEOUT_MS is over, for its connections
 * to close side by side (Discord's gateway, the vocabulary worker, the change feed). A gateway connection silently
 * dead (a network cut: no FIN) had discord.js wait for Discord's close frame, which `ws` gives up on after 30 s.
 */
export const CLOSING_WAIT_MS = 5_000;
/** How long it then waits for the database to close (a PostgreSQL connection silently dead is not waited out). */
export const DATABASE_CLOSE_WAIT_MS = 5_000;
/** How long a stopped process may take to exit by itself before it is ended (main.ts). */
export const EXIT_AFTER_STOP_MS = 1_000;
/** The longest a bot's stop takes beyond SHUTDOWN_TIMEOUT_MS. */
export const STOP_BEYOND_SHUTDOWN_TIMEOUT_MS = CLOSING_WAIT_MS + DATABASE_CLOSE_WAIT_MS + EXIT_AFTER_STOP_MS;

/**
 * Runs shutdown steps side by side for at most `ms`: a step not finished by then is named in a warning and left
 * behind (the process exits without it). Rejects with the first step that failed, once every step is over or left.
 */
export async function closeWithin(steps: Record<string, Promise<unknown> | undefined>, ms: number, logger: Logger): Promise<void> {
  const pending = new Set<string>();
  const failures: unknown[] = [];
  const all = Promise.all(
    Object.entries(steps).map(async ([name, step]) => {
      pending.add(name);
      try {
        await step;
      } catch (error) {
        failures.push(error);
      } finally {
        pending.delete(name);
      }
    }),
  );
  if (!(await settledWithin(all, ms))) logger.warn({ steps: [...pending], waitedMs: ms }, 'shutdown step not finished in time; going on without it');
  if (failures.length > 0) throw failures[0];
}

import type { EventEmitter } from 'node:events';
import { isExpectedCacheWarning } from '../discord/cache-limits.js';
import type { Logger } from '../logger.js';

/**
 * Node's process warnings (deprecations, discord.js's notices) as log lines with the rest, in place of the
 * plain-text line Node prints on stderr, which a log collector reading JSON would drop or garble. The warning
 * discord.js gives for the caches the bot limits on purpose (cache-limits.ts) is logged at debug: it says
 * "breaks functionality", which would alarm an operator at every start for a choice README explains.
 */
export function logProcessWarnings(logger: Logger, emitter: EventEmitter = process): void {
  // Node's own printer is a listener like any other (none with --no-warnings).
  emitter.removeAllListeners('warning');
  emitter.on('warning', (warning: Error & { code?: string }) => {
    const fields = { warning: warning.name, code: warning.code, detail: warning.message };
    if (isExpectedCacheWarning(warning)) logger.debug(fields, 'discord.js cache limited on purpose (README, "Memory and speed at scale")');
    else if (isChosenSpawnDelay(warning)) logger.debug(fields, 'processes started 5.5 s apart on purpose (README, "More than one process")');
    else logger.warn({ ...fields, stack: warning.stack }, 'process warning');
  });
}

/**
 * discord-hybrid-sharding warns at every `start:sharded` that a spawn delay under 7 s "can cause global rate limits
 * on /gateway/bot". The manager asks /gateway/bot once, not once a process, and Discord lets a bot identify one
 * shard per 5 s: 5.5 s is chosen (sharded.ts), and a warning at every start would teach operators to ignore warnings.
 */
function isChosenSpawnDelay(warning: Error & { code?: string }): boolean {
  return warning.code === 'CLUSTER_MANAGER' && /^Spawn Delay \(delay: 5500\) is smaller than 7s/u.test(warning.message);
}

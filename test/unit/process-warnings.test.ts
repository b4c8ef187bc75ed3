import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logProcessWarnings } from '../../src/operations/process-warnings.js';

/** A process-like emitter with Node's printer on it, and a logger whose lines are kept. */
function setUp() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const printed: Error[] = [];
  const emitter = new EventEmitter();
  emitter.on('warning', (warning: Error) => printed.push(warning));
  logProcessWarnings(logger, emitter);
  const warn = (name: string, message: string, code?: string) =>
    emitter.emit('warning', Object.assign(new Error(message), { name }, code === undefined ? {} : { code }));
  return { lines, printed, warn };
}

describe('process warnings', () => {
  it('are logged as warnings with their name, code and text instead of printed', () => {
    const { lines, printed, warn } = setUp();
    warn('DeprecationWarning', 'The ready event has been renamed to clientReady', 'DEP0123');
    expect(printed).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'process warning', warning: 'DeprecationWarning', code: 'DEP0123', detail: 'The ready event has been renamed to clientReady' });
  });

  it('log discord.js’s notice for the role and channel caches limited on purpose at debug', () => {
    const { lines, warn } = setUp();
    for (const manager of ['RoleManager', 'GuildChannelManager', 'ChannelManager']) {
      warn('UnsupportedCacheOverwriteWarning', `Overriding the cache handling for ${manager} is unsupported and breaks functionality.`);
    }
    expect(lines.map((line) => [line.level, line.warning])).toEqual([
      [20, 'UnsupportedCacheOverwriteWarning'],
      [20, 'UnsupportedCacheOverwriteWarning'],
      [20, 'UnsupportedCacheOverwriteWarning'],
    ]);
  });

  it('log the cluster manager’s notice of the 5.5 s chosen between processes at debug; another delay as a warning', () => {
    const { lines, warn } = setUp();
    warn('Warning', 'Spawn Delay (delay: 5500) is smaller than 7s, this can cause global rate limits on /gateway/bot', 'CLUSTER_MANAGER');
    warn('Warning', 'Spawn Delay (delay: 1000) is smaller than 7s, this can cause global rate limits on /gateway/bot', 'CLUSTER_MANAGER');
    expect(lines.map((line) => line.level)).toEqual([20, 40]);
  });

  it('log the notice for any other cache, or the same text under another name, as a warning: nothing limits those on purpose', () => {
    const { lines, warn } = setUp();
    warn('UnsupportedCacheOverwriteWarning', 'Overriding the cache handling for GuildManager is unsupported and breaks functionality.');
    warn('Warning', 'Overriding the cache handling for RoleManager is unsupported and breaks functionality.');
    expect(lines.map((line) => line.level)).toEqual([40, 40]);
  });
});

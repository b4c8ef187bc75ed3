import { describe, expect, it } from 'vitest';
import { DISCORD_RETRY_MAX_MS, discordRetryWaitMs, isTransientDiscordFailure } from '../../src/domain/discord-retries.js';

describe('discordRetryWaitMs', () => {
  it('waits 1 s after the first failed try, then twice as long after each', () => {
    expect([1, 2, 3, 4, 5, 6].map(discordRetryWaitMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('never waits more than a minute, however many tries, and never gives a wait that is not a number', () => {
    const waits = Array.from({ length: 10_000 }, (_, index) => discordRetryWaitMs(index + 1));
    expect(waits.at(6)).toBe(DISCORD_RETRY_MAX_MS);
    expect(waits.at(-1)).toBe(DISCORD_RETRY_MAX_MS);
    expect(waits.every((wait) => Number.isFinite(wait) && wait > 0 && wait <= DISCORD_RETRY_MAX_MS)).toBe(true);
    expect(discordRetryWaitMs(Number.MAX_SAFE_INTEGER)).toBe(DISCORD_RETRY_MAX_MS);
  });

  it('treats a try count below one as the first try', () => {
    expect(discordRetryWaitMs(0)).toBe(1_000);
    expect(discordRetryWaitMs(-3)).toBe(1_000);
  });
});

describe('isTransientDiscordFailure', () => {
  it('tries again when there was no answer, a server error or a rate limit', () => {
    for (const status of [undefined, 429, 500, 502, 503, 504]) expect(isTransientDiscordFailure(status)).toBe(true);
  });

  it('gives up on Discord’s refusals: a rejected token, a forbidden bot, a wrong route', () => {
    for (const status of [400, 401, 403, 404]) expect(isTransientDiscordFailure(status)).toBe(false);
  });
});

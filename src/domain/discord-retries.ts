/**
 * Reaching Discord at start. A bot started while Discord (or the network to it) is down waits and tries again,
 * as it does for a gateway lost later, rather than exiting: 1 s, 2 s, 4 s, … at most a minute between tries, for
 * as long as it takes. What Discord answers with a refusal (a token it rejects, 401; a forbidden bot, 403) does
 * not get better by waiting and ends the start.
 */
export const DISCORD_RETRY_FIRST_MS = 1_000;
export const DISCORD_RETRY_MAX_MS = 60_000;

/** The wait after the `tries`-th failed try (1-based): 1 s, 2 s, 4 s, … 60 s. */
export function discordRetryWaitMs(tries: number): number {
  const exponent = Math.max(0, Math.floor(tries) - 1);
  // 2 ** 6 s already passes the cap; bounding the exponent keeps huge try counts finite.
  return Math.min(DISCORD_RETRY_FIRST_MS * 2 ** Math.min(exponent, 16), DISCORD_RETRY_MAX_MS);
}

/**
 * Whether a failed request to Discord is worth trying again: no answer at all (refused, reset, timed out: no
 * status), a server error (5xx) or a rate limit (429). Any other answer (4xx) is Discord's refusal.
 */
export function isTransientDiscordFailure(status: number | undefined): boolean {
  return status === undefined || status === 429 || status >= 500;
}

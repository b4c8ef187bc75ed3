const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;

/** A Discord-shaped snowflake: milliseconds since 2015 in the top bits, so ids sort by creation time. */
export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** ISO8601 timestamp with milliseconds and an explicit offset, as Discord sends them. */
export function isoTimestamp(at: number = Date.now()): string {
  return new Date(at).toISOString().replace('Z', '+00:00');
}

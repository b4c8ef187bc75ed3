/**
 * Runs the process on a UTC clock, whatever zone its host is set to. node-cron (4.6) walks the host's local time
 * when given no zone, and a host zone's autumn change (its repeated hour) stopped the delivery tick for that hour:
 * every server due then posted up to an hour late. Given `timezone: 'UTC'` instead, it spins a core re-arming its
 * timers through that hour. Nothing the bot decides or shows reads the host's zone (every schedule, day and streak
 * is computed in an explicit IANA zone), so only the tick's clock changes. Call it before node-cron is first used.
 */
export function useUtcClock(env: NodeJS.ProcessEnv = process.env): void {
  // Node applies a TZ set at run time to Date and Intl at once.
  env.TZ = 'UTC';
}

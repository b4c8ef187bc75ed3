/** A server's chosen local posting time, wall-clock hour and minute. */
export interface PostTime {
  readonly hour: number;
  readonly minute: number;
}

/** Thrown for post times a person typed wrongly; the message is safe to show them. */
export class InvalidPostTimeError extends Error {
  override readonly name = 'InvalidPostTimeError';
}

// One or two hour digits (people type `7:30`), always two minute digits (`7:3` is a typo, not 07:03).
const POST_TIME = /^([0-9]{1,2}):([0-9]{2})$/u;

/** Parses `HH:MM` or `H:MM` (24-hour clock, 00:00–23:59). */
export function parsePostTime(input: string): PostTime {
  const match = POST_TIME.exec(input.trim());
  if (!match) {
    throw new InvalidPostTimeError(`"${input}" is not a time: use the 24-hour HH:MM format, for example 07:30 or 18:05.`);
  }
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23) throw new InvalidPostTimeError(`"${input}" has no such hour: hours go from 00 to 23.`);
  if (minute > 59) throw new InvalidPostTimeError(`"${input}" has no such minute: minutes go from 00 to 59.`);
  return { hour, minute };
}

/** `HH:MM`, the form stored in the database and shown to people. */
export function formatPostTime(time: PostTime): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
}

/** A server's chosen local posting time, wall-clock hour and minute. */
export interface PostTime {
  readonly hour: number;
  readonly minute: number;
}

/** Thrown for post times a person typed wrongly; the message is safe to show them. */
export class InvalidPostTimeError extends Error {
  override readonly name = 'InvalidPostTimeError';
}

// The stored form: one or two hour digits, always two minute digits.
const STORED_TIME = /^([0-9]{1,2}):([0-9]{2})$/u;

// What moderators type, after NFKC (full-width `１９：３０` becomes `19:30`), lower case and spaces squeezed.
// Minutes are always two digits (`7:3` is a typo, not 07:03); `7.30` and `19h30` are how much of Europe
// writes times, `0730` how timetables do.
const CLOCK_24 = /^([0-9]{1,2})(?:[:.]|\s?h\s?)([0-9]{2})$|^([0-9]{1,2})\s?h$|^([0-9]{2})([0-9]{2})$/u;
const CLOCK_12 = /^([0-9]{1,2})(?:[:.]([0-9]{2}))?\s?(a|p)\.?\s?m?\.?$/u;

const FORMAT_HELP = 'use the 24-hour HH:MM format, for example 07:30 or 18:05 (6:05 pm works too).';

/** Parses a stored `HH:MM` or `H:MM` (24-hour clock, 00:00–23:59). */
export function parsePostTime(input: string): PostTime {
  const match = STORED_TIME.exec(input.trim());
  if (!match) throw new InvalidPostTimeError(`"${clipped(input)}" is not a time: ${FORMAT_HELP}`);
  return checked(input, Number(match[1]), Number(match[2]));
}

/**
 * Reads a post time as a moderator types it: `07:30`, `7:30`, `19.30`, `19h30`, `19h`, `1930`, or on the
 * 12-hour clock `7:30 pm`, `7pm`, `7:30 p.m.`, `12am` (midnight), `12:15pm` (a quarter past noon).
 */
export function readTypedPostTime(input: string): PostTime {
  const typed = input.normalize('NFKC').trim().toLowerCase().replace(/\s+/gu, ' ');
  const twelve = CLOCK_12.exec(typed);
  if (twelve) {
    const hour = Number(twelve[1]);
    const minute = twelve[2] === undefined ? 0 : Number(twelve[2]);
    if (hour < 1 || hour > 12) {
      throw new InvalidPostTimeError(`"${clipped(input)}" has no such hour: on the 12-hour clock hours go from 1 to 12.`);
    }
    return checked(input, (hour % 12) + (twelve[3] === 'p' ? 12 : 0), minute);
  }
  const day = CLOCK_24.exec(typed);
  if (!day) throw new InvalidPostTimeError(`"${clipped(input)}" is not a time: ${FORMAT_HELP}`);
  const [, hour, minute, hourOnly, compactHour, compactMinute] = day;
  if (hourOnly !== undefined) return checked(input, Number(hourOnly), 0);
  if (compactHour !== undefined) return checked(input, Number(compactHour), Number(compactMinute));
  return checked(input, Number(hour), Number(minute));
}

function checked(input: string, hour: number, minute: number): PostTime {
  if (hour > 23) throw new InvalidPostTimeError(`"${clipped(input)}" has no such hour: hours go from 00 to 23 (midnight is 00:00).`);
  if (minute > 59) throw new InvalidPostTimeError(`"${clipped(input)}" has no such minute: minutes go from 00 to 59.`);
  return { hour, minute };
}

// Discord bounds the option's length; a direct caller may not, and the message must stay short.
function clipped(input: string): string {
  return input.length > 24 ? `${input.slice(0, 23)}…` : input;
}

/** `HH:MM`, the form stored in the database and shown to people. */
export function formatPostTime(time: PostTime): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
}

import { addDays, type LocalDate } from './local-dates.js';

/** One autocomplete choice for a date option: what the member reads, and the `YYYY-MM-DD` sent back. */
export interface DayChoice {
  readonly name: string;
  readonly value: LocalDate;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_MS = 86_400_000;
/** How far ahead the choices reach: a year of the server's calendar. */
const DAYS_AHEAD = 366;
// A Map, not an object: `constructor` or `__proto__` typed is no day (an object's lookup would find its prototype's).
const WORDS: ReadonlyMap<string, number> = new Map([
  ['today', 0],
  ['tomorrow', 1],
]);

/**
 * The days a moderator may mean by what they typed so far, from `today` on (the server's calendar):
 * nothing typed gives the next days; otherwise every typed word must begin a word of the day's label
 * (`sat`, `dec 25`, `tomorrow`, `friday 18`, `2027-01`) or, with a hyphen, be part of its date (`12-25`). A whole
 * `YYYY-MM-DD` outside the year ahead is offered as typed, so it can still be picked.
 */
export function dayChoices(typed: string, today: LocalDate, limit = 25): DayChoice[] {
  // Discord bounds the option to 40 characters; a forged autocomplete must not make the walk below any longer.
  const tokens = typed.slice(0, 100).normalize('NFKC').toLowerCase().split(/[\s,·]+/u).filter(Boolean).slice(0, 8);
  const start = utcMidnight(today);
  const choices: DayChoice[] = [];
  for (let offset = 0; offset < DAYS_AHEAD && choices.length < limit; offset++) {
    const day = new Date(start + offset * DAY_MS);
    const value = isoDate(day);
    const name = label(day, value, offset);
    const words = name.toLowerCase().split(/[\s,·]+/u);
    if (tokens.every((token) => words.some((word) => word.startsWith(token)) || (token.includes('-') && value.includes(token)))) {
      choices.push({ name, value });
    }
  }
  const exact = tokens.length === 1 && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/u.test(tokens[0]!) ? tokens[0]! : null;
  if (choices.length === 0 && exact) return [{ name: exact, value: exact }];
  return choices;
}

/** `today` and `tomorrow` typed (and not picked from the choices) as the day they name; null for anything else. */
export function namedDay(typed: string, today: LocalDate): LocalDate | null {
  const offset = WORDS.get(typed.normalize('NFKC').trim().toLowerCase());
  return offset === undefined ? null : addDays(today, offset);
}

/** The weekday of a calendar date, in English: `Saturday`, or `Sat` when `short`. */
export function weekdayOf(date: LocalDate, form: 'long' | 'short' = 'long'): string {
  const name = WEEKDAYS[new Date(utcMidnight(date)).getUTCDay()]!;
  return form === 'short' ? name.slice(0, 3) : name;
}

function label(day: Date, value: LocalDate, offset: number): string {
  const when = offset === 0 ? ' · today' : offset === 1 ? ' · tomorrow' : offset < 7 ? ` · in ${offset} days` : '';
  return `${value} · ${WEEKDAYS[day.getUTCDay()]} ${day.getUTCDate()} ${MONTHS[day.getUTCMonth()]}${when}`;
}

function utcMidnight(date: LocalDate): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day);
}

function isoDate(day: Date): LocalDate {
  return day.toISOString().slice(0, 10);
}

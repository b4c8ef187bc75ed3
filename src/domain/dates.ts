/**
 * The one rule for which calendar dates the product accepts, from lesson files and from members:
 * PostgreSQL cannot store year 0 (and JavaScript and PostgreSQL disagree about far years), and a
 * news lesson or a schedule outside these years is a typo, not a wish.
 */
export const EARLIEST_YEAR = 2000;
export const LATEST_YEAR = 2100;

/** For messages: "years 2000–2100". */
export const SUPPORTED_YEARS = `years ${EARLIEST_YEAR}–${LATEST_YEAR}`;

export function isSupportedYear(year: number): boolean {
  return Number.isInteger(year) && year >= EARLIEST_YEAR && year <= LATEST_YEAR;
}

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/u;

/**
 * What is wrong with a `YYYY-MM-DD` a member typed, as the end of a sentence about it ("… is not a
 * date: use YYYY-MM-DD"), or null when it is a real date in the supported years. The one validator
 * behind every date option: a date that passes is one PostgreSQL stores.
 */
export function dateProblem(text: string): string | null {
  const match = ISO_DATE.exec(text);
  if (!match) return 'is not a date: use YYYY-MM-DD';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(2000, month - 1, day));
  probe.setUTCFullYear(year);
  if (month < 1 || month > 12 || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return 'is not a day of the calendar';
  }
  if (!isSupportedYear(year)) return `is outside the dates I handle (${SUPPORTED_YEARS})`;
  return null;
}

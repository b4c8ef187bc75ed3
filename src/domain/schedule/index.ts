export { backoffDelay, BACKOFF_BASE_MS, BACKOFF_MAX_MS, retryAfterFailure, UNANSWERED_QUICK_TRIES, UNANSWERED_RETRY_MS } from './backoff.js';
export { firstPostingDay, isDue, nextPostDay, nextPostTime, postDayAt, postDayEnds } from './due.js';
export { dayChoices, namedDay, weekdayOf, type DayChoice } from './day-choices.js';
export { addDays, dateRange, localDate, parseLocalDate, type LocalDate } from './local-dates.js';
export { postInstantFor, wallClock } from './post-instant.js';
export { formatPostTime, InvalidPostTimeError, parsePostTime, readTypedPostTime, type PostTime } from './post-time.js';
export {
  abbreviationAdvice,
  allTimeZones,
  canonicalTimeZone,
  isValidTimeZone,
  MAX_ZONE_SUGGESTIONS,
  requireZone,
  searchTimeZones,
  zonesAbbreviated,
} from './time-zones.js';

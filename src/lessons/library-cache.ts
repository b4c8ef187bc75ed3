import type { ChangedTable } from '../db/change-feed.js';

/**
 * In-process caches of what most interactions read and what rarely changes (issue 13, commands at scale):
 * lessons by id (without their texts: cards' and buttons' lessons; with their dialogue or article: the pages), lesson autocomplete answers by what was typed, a
 * lesson's related readings (src/discovery/service.ts), and each server's lesson of the day. They save a
 * database round trip or three on most interactions.
 *
 * Safe with other processes writing the same database (the lessons CLI importing, other shards, an
 * operator's SQL):
 * - Served only while the change feed is live (PostgreSQL LISTEN on the notices of migration 2026-12-04-01);
 *   without it (PGlite, the feed's connection lost) every read goes to the database, as before.
 * - A committed write to `lessons` empties every cache; to `lesson_vocabularies`, only the lessons by id (their
 *   level is all the caches hold of a vocabulary: the bot's catch-up job writes vocabularies every few seconds
 *   for minutes after a library arrives without them, and would otherwise empty the suggestions, related
 *   readings and days' lessons each time); to `schedules`, `deliveries` or `lesson_plans`, the days' lessons.
 *   A write that commits while a read is under way wins: the read's answer is not kept (each cache has a
 *   generation, bumped by every notice, checked before storing).
 * - Entries also expire after `ttlMs` (a bound on staleness should a notice ever be late), and each cache
 *   holds at most `maxEntries` (least recently used go first).
 *
 * Between a commit and its notice reaching this process (milliseconds) an answer may be the one from just
 * before the commit, as it would have been had the member asked a moment earlier.
 */
export interface LibraryCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /**
   * The most characters of text an area that counts them holds (the lessons', by `characters`), least recently used
   * going first; a value of more is served but not kept. Lessons may be 400 times the size of an ordinary one
   * (LESSON_LIMITS): by count alone, 1,000 of the largest held ~0.4 GB.
   */
  readonly maxCharacters?: number;
  /** Milliseconds, for expiry (tests move it by hand). */
  readonly clock?: () => number;
}

/**
 * A minute at most; 1,000 entries a cache (autocomplete answers ~3 KB; ordinary lessons, a few thousand characters of
 * text) and at most 8,000,000 characters (8–16 MB: 1 or 2 bytes each in V8's strings) of lesson text a cache.
 */
export const DEFAULT_LIBRARY_CACHE: Required<Omit<LibraryCacheOptions, 'clock'>> = { ttlMs: 60_000, maxEntries: 1_000, maxCharacters: 8_000_000 };

/** What kind of change empties a cache: the library's content, the lessons' levels, or a server's schedule and posts. */
type Scope = 'library' | 'levels' | 'schedule';

const SCOPE_OF: Record<ChangedTable, Scope> = {
  lessons: 'library',
  lesson_vocabularies: 'levels',
  schedules: 'schedule',
  deliveries: 'schedule',
  lesson_plans: 'schedule',
};

interface Entry<V> {
  readonly value: V;
  readonly at: number;
  /** Its characters of text, in an area that counts them (else 0). */
  readonly characters?: number;
}

/** One cache: a bounded map whose entries expire, emptied by the changes of its scopes. */
export class CacheArea<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Loads under way, by key: a second miss of the same key waits for the first load instead of starting another. */
  private readonly loading = new Map<string, Promise<V>>();
  private generation = 0;
  private characterCount = 0;
  hits = 0;
  misses = 0;
  /** Misses answered by a load another caller had started. */
  joined = 0;

  constructor(
    private readonly owner: { readonly live: boolean },
    private readonly options: Required<LibraryCacheOptions>,
    readonly scopes: readonly Scope[],
    /** Its values' characters of text, when the area is bounded by them (`maxCharacters`). */
    private readonly charactersOf?: (value: V) => number,
  ) {}

  /**
   * The cached value, or `load()`'s (kept unless a change was announced meanwhile). Concurrent misses of one key
   * share one load: when a lesson is posted, its server's members ask for the same related readings at once,
   * and each asking alone ran the heaviest statement a command has side by side with the others (a bot's first
   * second at 200 interactions a second: 70–215 ms each, most of the interactions over 50 ms). A caller that
   * joins gets the load's value or its error; `load` is then not called for it (the discovery service tells
   * its own computation from a shared one by that).
   */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (!this.owner.live) return load();
    const now = this.options.clock();
    const entry = this.fresh(key, now);
    if (entry) {
      this.hits += 1;
      // Most recently used last: the map's first key is the one to drop.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.value;
    }
    const underWay = this.loading.get(key);
    if (underWay) {
      this.joined += 1;
      return underWay;
    }
    this.misses += 1;
    const generation = this.generation;
    const loading = load();
    this.loading.set(key, loading);
    try {
      const value = await loading;
      // Kept unless a change was announced, or this key deleted (its load then no longer the one under way), meanwhile.
      if (this.owner.live && generation === this.generation && this.loading.get(key) === loading) this.set(key, value, now);
      return value;
    } finally {
      // A change announced meanwhile already let later callers start their own load: leave theirs.
      if (this.loading.get(key) === loading) this.loading.delete(key);
    }
  }

  /** The cached value if there is a fresh one; never loads. */
  peek(key: string): V | undefined {
    return this.owner.live ? this.fresh(key, this.options.clock())?.value : undefined;
  }

  private fresh(key: string, now: number): Entry<V> | undefined {
    const entry = this.entries.get(key);
    return entry && now - entry.at < this.options.ttlMs ? entry : undefined;
  }

  /**
   * Forgets one key (a change this process made and knows the extent of, or a value it knows is out of date): a
   * load of it under way may read what the change replaced, so the next caller loads afresh and that load's answer
   * is not kept (until 2026-12-07 a caller past a server's midnight joined the choice begun before it, and got the
   * last day's lesson).
   */
  delete(key: string): void {
    this.forget(key);
    this.loading.delete(key);
  }

  private forget(key: string): void {
    this.characterCount -= this.entries.get(key)?.characters ?? 0;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
    this.characterCount = 0;
    // A load under way may read what the change replaced: callers from now on load afresh.
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The kept values' characters of text (0 in an area that does not count them). */
  get characters(): number {
    return this.characterCount;
  }

  private set(key: string, value: V, at: number): void {
    this.forget(key);
    const characters = this.charactersOf?.(value) ?? 0;
    if (characters > this.options.maxCharacters) return;
    this.entries.set(key, { value, at, characters });
    this.characterCount += characters;
    while (this.entries.size > this.options.maxEntries || this.characterCount > this.options.maxCharacters) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
  }
}

/**
 * One value built from the library in the background (the newest lessons' words for suggestions): read without
 * waiting, undefined until it is loaded. A load starts when there is none, when it is older than the time to
 * live (the older one is served meanwhile: it was right when loaded, and any change since would have emptied
 * it), or a few seconds after a failed load. A change of its scopes empties it at once.
 */
export class BackgroundValue<V> {
  private entry: Entry<V> | undefined;
  private loading: Promise<void> | undefined;
  private generation = 0;
  private retryAfter = 0;

  constructor(
    private readonly owner: { readonly live: boolean },
    private readonly options: Required<LibraryCacheOptions>,
    readonly scopes: readonly Scope[],
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The value, if loaded and unchanged since; starts a load when one is due (never waits for it). */
  current(load: () => Promise<V>): V | undefined {
    if (!this.owner.live) return undefined;
    const now = this.options.clock();
    if ((!this.entry || now - this.entry.at >= this.options.ttlMs) && !this.loading && now >= this.retryAfter) this.start(load, now);
    return this.entry?.value;
  }

  /**
   * Loads it now if it is not loaded, and resolves once that load has ended (a failure is reported to `onError`,
   * as any load's): at start-up, so that the first members' reads find it instead of each starting the load on
   * their way (the newest lessons' words: ~150 ms of the bot's main thread, every command waiting behind it).
   */
  async preload(load: () => Promise<V>): Promise<void> {
    this.current(load);
    await this.loading;
  }

  private start(load: () => Promise<V>, now: number): void {
    const generation = this.generation;
    const loading = load()
      .then(
        (value) => {
          if (this.owner.live && generation === this.generation) this.entry = { value, at: now };
        },
        (error: unknown) => {
          this.retryAfter = this.options.clock() + RETRY_AFTER_FAILURE_MS;
          this.onError(error);
        },
      )
      .finally(() => {
        if (generation === this.generation) this.loading = undefined;
      });
    this.loading = loading;
  }

  clear(): void {
    this.generation += 1;
    this.entry = undefined;
    // A load under way may read what the change replaced: the next read starts a new one.
    this.loading = undefined;
  }
}

/** After a failed background load (the database down), the next try waits this long: reads answer without it meanwhile. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/** The caches, and what empties them. */
export class LibraryCache {
  private readonly areas: { readonly scopes: readonly Scope[]; clear(): void }[] = [];
  private readonly options: Required<LibraryCacheOptions>;

  constructor(
    /** The change feed (or anything that says whether changes are being heard). */
    private readonly feed: { readonly live: boolean },
    options: LibraryCacheOptions = DEFAULT_LIBRARY_CACHE,
  ) {
    // `?? `, not a spread's defaults: an option given as undefined (exactOptionalPropertyTypes is off) keeps its default.
    this.options = { ...options, clock: options.clock ?? Date.now, maxCharacters: options.maxCharacters ?? DEFAULT_LIBRARY_CACHE.maxCharacters };
  }

  get live(): boolean {
    return this.feed.live;
  }

  /**
   * A new cache emptied by changes of these scopes, holding up to `maxEntries` (the default unless given) and, given
   * `characters` (a value's characters of text), up to `maxCharacters` of them.
   */
  area<V>(scopes: readonly Scope[], bounds: { readonly maxEntries?: number; readonly characters?: (value: V) => number } = {}): CacheArea<V> {
    const area = new CacheArea<V>(this, { ...this.options, maxEntries: bounds.maxEntries ?? this.options.maxEntries }, scopes, bounds.characters);
    this.areas.push(area);
    return area;
  }

  /**
   * A value loaded in the background, emptied by changes of these scopes; `onError`: a load failed. `ttlMs`: its own
   * time to live, where the caches' would reload it more often than it is worth.
   */
  background<V>(scopes: readonly Scope[], onError: (error: unknown) => void, ttlMs = this.options.ttlMs): BackgroundValue<V> {
    const value = new BackgroundValue<V>(this, { ...this.options, ttlMs }, scopes, onError);
    this.areas.push(value);
    return value;
  }

  /** The change feed's report: a committed write to `table`, or (null) anything. */
  changed(table: ChangedTable | null): void {
    const scope = table === null ? null : (SCOPE_OF[table] ?? null);
    for (const area of this.areas) {
      if (scope === null || area.scopes.includes(scope)) area.clear();
    }
  }
}

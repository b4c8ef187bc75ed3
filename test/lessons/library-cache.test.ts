import { describe, expect, it } from 'vitest';
import { DEFAULT_LIBRARY_CACHE, LibraryCache } from '../../src/lessons/library-cache.js';

/** A change feed the test switches on and off. */
const feed = (live = true) => ({ live });

function setUp(options: { live?: boolean; ttlMs?: number; maxEntries?: number; maxCharacters?: number } = {}) {
  const changes = feed(options.live ?? true);
  let now = 0;
  const cache = new LibraryCache(changes, {
    ttlMs: options.ttlMs ?? 1_000,
    maxEntries: options.maxEntries ?? 10,
    maxCharacters: options.maxCharacters ?? 10,
    clock: () => now,
  });
  let loads = 0;
  const loader = (value: string) => async () => {
    loads += 1;
    return value;
  };
  return { changes, cache, loader, loads: () => loads, advance: (ms: number) => (now += ms) };
}

describe('library cache', () => {
  it('serves a value once loaded while the change feed is live', async () => {
    const { cache, loader, loads } = setUp();
    const lessons = cache.area<string>(['library']);
    expect(await lessons.get('a', loader('first'))).toBe('first');
    expect(await lessons.get('a', loader('second'))).toBe('first');
    expect(loads()).toBe(1);
  });

  it('peek gives a fresh cached value and never loads: nothing before a load, nothing once expired or the feed is down', async () => {
    const { changes, cache, loader, loads, advance } = setUp({ ttlMs: 1_000 });
    const choices = cache.area<string>(['library']);
    expect(choices.peek('fer')).toBeUndefined();
    await choices.get('fer', loader('ferry'));
    expect(choices.peek('fer')).toBe('ferry');
    changes.live = false;
    expect(choices.peek('fer')).toBeUndefined();
    changes.live = true;
    advance(1_000);
    expect(choices.peek('fer')).toBeUndefined();
    expect(loads()).toBe(1);
  });

  it('without a live feed every read loads, and nothing is kept', async () => {
    const { changes, cache, loader, loads } = setUp({ live: false });
    const lessons = cache.area<string>(['library']);
    expect(await lessons.get('a', loader('first'))).toBe('first');
    expect(await lessons.get('a', loader('second'))).toBe('second');
    changes.live = true;
    expect(await lessons.get('a', loader('third'))).toBe('third');
    expect(loads()).toBe(3);
    expect(lessons.size).toBe(1);
  });

  it('a change of a lesson empties every cache; a change of a schedule or post only the days', async () => {
    const { cache, loader } = setUp();
    const lessons = cache.area<string>(['library']);
    const days = cache.area<string>(['library', 'schedule']);
    await lessons.get('a', loader('lesson v1'));
    await days.get('g', loader('day v1'));

    cache.changed('deliveries');
    expect(await lessons.get('a', loader('lesson v2'))).toBe('lesson v1');
    expect(await days.get('g', loader('day v2'))).toBe('day v2');

    cache.changed('lessons');
    expect(await lessons.get('a', loader('lesson v3'))).toBe('lesson v3');
    expect(await days.get('g', loader('day v3'))).toBe('day v3');

    // null: the feed was down, anything may have changed.
    cache.changed(null);
    expect(await lessons.get('a', loader('lesson v4'))).toBe('lesson v4');
    expect(await days.get('g', loader('day v4'))).toBe('day v4');
  });

  it('a change of a vocabulary empties only what shows a level: suggestions and days are kept', async () => {
    const { cache, loader } = setUp();
    const lessons = cache.area<string>(['library', 'levels']);
    const suggestions = cache.area<string>(['library']);
    const days = cache.area<string>(['library', 'schedule']);
    await lessons.get('a', loader('lesson, no level yet'));
    await suggestions.get('fer', loader('ferries v1'));
    await days.get('g', loader('day v1'));

    cache.changed('lesson_vocabularies');
    expect(await lessons.get('a', loader('lesson at B1'))).toBe('lesson at B1');
    expect(await suggestions.get('fer', loader('ferries v2'))).toBe('ferries v1');
    expect(await days.get('g', loader('day v2'))).toBe('day v1');

    // A lesson's change still empties them all, the level's cache with them.
    cache.changed('lessons');
    expect(await lessons.get('a', loader('lesson v3'))).toBe('lesson v3');
    expect(await suggestions.get('fer', loader('ferries v3'))).toBe('ferries v3');
  });

  it('a read that a change overtook is answered but not kept', async () => {
    const { cache, loader } = setUp();
    const lessons = cache.area<string>(['library']);
    let release: () => void = () => undefined;
    const slow = lessons.get('a', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'read before the change';
    });
    await Promise.resolve();
    cache.changed('lessons');
    release();
    expect(await slow).toBe('read before the change');
    expect(await lessons.get('a', loader('after the change'))).toBe('after the change');
  });

  it('entries expire after the time to live', async () => {
    const { cache, loader, advance } = setUp({ ttlMs: 1_000 });
    const lessons = cache.area<string>(['library']);
    await lessons.get('a', loader('first'));
    advance(999);
    expect(await lessons.get('a', loader('second'))).toBe('first');
    advance(1);
    expect(await lessons.get('a', loader('third'))).toBe('third');
  });

  it('holds at most its bound, dropping the least recently used', async () => {
    const { cache, loader } = setUp({ maxEntries: 2 });
    const lessons = cache.area<string>(['library']);
    await lessons.get('a', loader('a1'));
    await lessons.get('b', loader('b1'));
    await lessons.get('a', loader('a2')); // a is now the most recently used
    await lessons.get('c', loader('c1')); // drops b
    expect(lessons.size).toBe(2);
    expect(await lessons.get('a', loader('a3'))).toBe('a1');
    expect(await lessons.get('b', loader('b2'))).toBe('b2');
  });

  it('counting characters, holds at most maxCharacters in all, dropping the least recently used', async () => {
    const { cache, loader, loads } = setUp({ maxEntries: 100 });
    const texts = cache.area<string>(['library'], { characters: (text) => text.length });
    await texts.get('a', loader('aaaa'));
    await texts.get('b', loader('bbbb'));
    expect(texts.characters).toBe(8);
    await texts.get('a', loader('not read')); // a is now the most recently used
    await texts.get('c', loader('cccc')); // 12 > 10: drops b
    expect(texts.size).toBe(2);
    expect(texts.characters).toBe(8);
    expect(await texts.get('a', loader('not read'))).toBe('aaaa');
    expect(await texts.get('b', loader('bbbb again'))).toBe('bbbb again'); // 10 characters: a and c go
    expect(texts.size).toBe(1);
    expect(texts.characters).toBe(10);
    expect(loads()).toBe(4);
  });

  it('maxCharacters given as undefined is the default bound, not none', async () => {
    const cache = new LibraryCache(feed(), { ttlMs: 1_000, maxEntries: 10, maxCharacters: undefined });
    const texts = cache.area<string>(['library'], { characters: (text) => text.length });
    await texts.get('huge', async () => 'x'.repeat(DEFAULT_LIBRARY_CACHE.maxCharacters + 1));
    expect(texts.size).toBe(0);
  });

  it('serves a value of more than maxCharacters without keeping it or dropping the others', async () => {
    const { cache, loader, loads } = setUp();
    const texts = cache.area<string>(['library'], { characters: (text) => text.length });
    await texts.get('small', loader('tiny'));
    expect(await texts.get('huge', loader('x'.repeat(11)))).toBe('x'.repeat(11));
    expect(await texts.get('huge', loader('y'.repeat(11)))).toBe('y'.repeat(11));
    expect(await texts.get('small', loader('not read'))).toBe('tiny');
    expect({ size: texts.size, characters: texts.characters, loads: loads() }).toEqual({ size: 1, characters: 4, loads: 3 });
  });

  it('counting characters, forgets those of a value a reload replaced, and all of them at a change', async () => {
    const { cache, loader, advance } = setUp({ ttlMs: 1_000 });
    const texts = cache.area<string>(['library'], { characters: (text) => text.length });
    await texts.get('a', loader('aaaaaa'));
    advance(1_000); // expired: the reload replaces it
    await texts.get('a', loader('aaaaaaaa'));
    expect(texts.characters).toBe(8);
    cache.changed('lessons');
    expect(texts.characters).toBe(0);
    await texts.get('a', loader('aaaaaaaaaa'));
    expect({ size: texts.size, characters: texts.characters }).toEqual({ size: 1, characters: 10 });
  });
});

describe('a value loaded in the background (the newest lessons for suggestions)', () => {
  /** A load the test finishes by hand. */
  function pendingLoads() {
    const calls: { resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
    const load = () => new Promise<string>((resolve, reject) => void calls.push({ resolve, reject }));
    return { load, calls };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('is undefined until loaded, never waited for, and loaded once however often it is read', async () => {
    const { cache } = setUp();
    const errors: unknown[] = [];
    const value = cache.background<string>(['library'], (error) => errors.push(error));
    const { load, calls } = pendingLoads();
    expect(value.current(load)).toBeUndefined();
    expect(value.current(load)).toBeUndefined();
    expect(calls).toHaveLength(1);
    calls[0]?.resolve('v1');
    await settle();
    expect(value.current(load)).toBe('v1');
    expect(calls).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('once older than the time to live it is reloaded, and served meanwhile', async () => {
    const { cache, advance } = setUp({ ttlMs: 1_000 });
    const value = cache.background<string>(['library'], () => undefined);
    const { load, calls } = pendingLoads();
    value.current(load);
    calls[0]?.resolve('v1');
    await settle();
    advance(1_000);
    expect(value.current(load)).toBe('v1');
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('v2');
    await settle();
    expect(value.current(load)).toBe('v2');
  });

  it('with a time to live of its own, it is reloaded after that one, not after the caches’', async () => {
    const { cache, advance } = setUp({ ttlMs: 1_000 });
    const value = cache.background<string>(['library'], () => undefined, 10_000);
    const { load, calls } = pendingLoads();
    value.current(load);
    calls[0]?.resolve('v1');
    await settle();
    advance(9_999);
    expect(value.current(load)).toBe('v1');
    expect(calls).toHaveLength(1);
    advance(1);
    expect(value.current(load)).toBe('v1');
    expect(calls).toHaveLength(2);
  });

  it('a change of its scope empties it at once, and a load the change overtook is not kept', async () => {
    const { cache } = setUp();
    const value = cache.background<string>(['library'], () => undefined);
    const { load, calls } = pendingLoads();
    value.current(load);
    calls[0]?.resolve('v1');
    await settle();
    cache.changed('schedules');
    expect(value.current(load)).toBe('v1');

    cache.changed('lessons');
    expect(value.current(load)).toBeUndefined();
    expect(calls).toHaveLength(2);
    cache.changed('lessons');
    expect(value.current(load)).toBeUndefined();
    expect(calls).toHaveLength(3);
    calls[1]?.resolve('read before the second change');
    await settle();
    expect(value.current(load)).toBeUndefined();
    calls[2]?.resolve('v3');
    await settle();
    expect(value.current(load)).toBe('v3');
  });

  it('a failed load is reported and tried again only after a pause', async () => {
    const { cache, advance } = setUp();
    const errors: unknown[] = [];
    const value = cache.background<string>(['library'], (error) => errors.push(error));
    const { load, calls } = pendingLoads();
    value.current(load);
    calls[0]?.reject(new Error('database down'));
    await settle();
    expect(errors).toEqual([new Error('database down')]);
    expect(value.current(load)).toBeUndefined();
    expect(calls).toHaveLength(1);
    advance(5_000);
    expect(value.current(load)).toBeUndefined();
    expect(calls).toHaveLength(2);
  });

  it('preload starts a load and resolves once it is in; a read then finds it without loading again', async () => {
    const { cache } = setUp();
    const value = cache.background<string>(['library'], () => undefined);
    const { load, calls } = pendingLoads();
    let preloaded = false;
    const preloading = value.preload(load).then(() => (preloaded = true));
    await settle();
    expect(preloaded).toBe(false);
    calls[0]?.resolve('v1');
    await preloading;
    expect(value.current(load)).toBe('v1');
    expect(calls).toHaveLength(1);
    // Loaded already: nothing to wait for, nothing loaded.
    await value.preload(load);
    expect(calls).toHaveLength(1);
  });

  it('preload joins a load under way, and resolves after a failed one, which is reported', async () => {
    const { cache } = setUp();
    const errors: unknown[] = [];
    const value = cache.background<string>(['library'], (error) => errors.push(error));
    const { load, calls } = pendingLoads();
    value.current(load);
    const preloading = value.preload(load);
    expect(calls).toHaveLength(1);
    calls[0]?.reject(new Error('database down'));
    await expect(preloading).resolves.toBeUndefined();
    expect(errors).toEqual([new Error('database down')]);
    expect(value.current(load)).toBeUndefined();
  });

  it('without a live feed preload resolves at once and loads nothing', async () => {
    const { cache } = setUp({ live: false });
    const value = cache.background<string>(['library'], () => undefined);
    const { load, calls } = pendingLoads();
    await value.preload(load);
    expect(calls).toHaveLength(0);
  });

  it('without a live feed it is never loaded nor served', async () => {
    const { changes, cache } = setUp({ live: false });
    const value = cache.background<string>(['library'], () => undefined);
    const { load, calls } = pendingLoads();
    expect(value.current(load)).toBeUndefined();
    expect(calls).toHaveLength(0);
    changes.live = true;
    value.current(load);
    calls[0]?.resolve('v1');
    await settle();
    changes.live = false;
    expect(value.current(load)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { LibraryCache } from '../../src/lessons/library-cache.js';

/** A load that resolves (or rejects) when told to, counting its calls. */
function controlledLoad<V>() {
  const calls: { resolve: (value: V) => void; reject: (error: Error) => void }[] = [];
  const load = () => new Promise<V>((resolve, reject) => void calls.push({ resolve, reject }));
  return { load, calls };
}

describe('the library cache: concurrent misses of one key', () => {
  const live = { live: true };

  it('share one load: every caller gets its value, and it is kept', async () => {
    const area = new LibraryCache(live).area<string>(['library']);
    const { load, calls } = controlledLoad<string>();
    const answers = Promise.all([area.get('a', load), area.get('a', load), area.get('a', load)]);
    expect(calls).toHaveLength(1);
    calls[0]?.resolve('related of a');
    expect(await answers).toEqual(['related of a', 'related of a', 'related of a']);
    expect(await area.get('a', load)).toBe('related of a');
    expect(calls).toHaveLength(1);
    expect({ misses: area.misses, joined: area.joined, hits: area.hits }).toEqual({ misses: 1, joined: 2, hits: 1 });
  });

  it('do not share across keys', async () => {
    const area = new LibraryCache(live).area<string>(['library']);
    const { load, calls } = controlledLoad<string>();
    const a = area.get('a', load);
    const b = area.get('b', load);
    expect(calls).toHaveLength(2);
    calls[0]?.resolve('A');
    calls[1]?.resolve('B');
    expect([await a, await b]).toEqual(['A', 'B']);
  });

  it('a failed load fails every caller that shared it, and the next miss loads again', async () => {
    const area = new LibraryCache(live).area<string>(['library']);
    const { load, calls } = controlledLoad<string>();
    const first = area.get('a', load);
    const second = area.get('a', load);
    calls[0]?.reject(new Error('database timeout'));
    await expect(first).rejects.toThrow('database timeout');
    await expect(second).rejects.toThrow('database timeout');
    const again = area.get('a', load);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('A');
    expect(await again).toBe('A');
  });

  it('after a change is announced, a caller loads afresh instead of joining a load that may read the old library', async () => {
    const cache = new LibraryCache(live);
    const area = cache.area<string>(['library']);
    const { load, calls } = controlledLoad<string>();
    const before = area.get('a', load);
    cache.changed('lessons');
    const after = area.get('a', load);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('new');
    calls[0]?.resolve('old');
    expect([await before, await after]).toEqual(['old', 'new']);
    // The load started before the change is not kept; the one after it is.
    expect(await area.get('a', load)).toBe('new');
    expect(calls).toHaveLength(2);
  });

  it('after one key is deleted, its next caller loads afresh, and the load started before is not kept', async () => {
    const area = new LibraryCache(live).area<string>(['schedule']);
    const { load, calls } = controlledLoad<string>();
    const before = area.get('guild', load);
    // This process changed what the key's value is read from (or knows it is out of date: a new local day).
    area.delete('guild');
    const after = area.get('guild', load);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve('new');
    calls[0]?.resolve('old');
    expect([await before, await after]).toEqual(['old', 'new']);
    expect(await area.get('guild', load)).toBe('new');
    expect(calls).toHaveLength(2);
    // Other keys' loads are untouched by it.
    const other = area.get('other', load);
    area.delete('guild');
    calls[2]?.resolve('other value');
    expect(await other).toBe('other value');
    expect(await area.get('other', load)).toBe('other value');
    expect(calls).toHaveLength(3);
  });

  it('without a live change feed nothing is cached or shared: every caller loads', async () => {
    const area = new LibraryCache({ live: false }).area<string>(['library']);
    const { load, calls } = controlledLoad<string>();
    const both = Promise.all([area.get('a', load), area.get('a', load)]);
    expect(calls).toHaveLength(2);
    calls[0]?.resolve('1');
    calls[1]?.resolve('2');
    expect(await both).toEqual(['1', '2']);
  });
});

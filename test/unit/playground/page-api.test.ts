import { describe, expect, it } from 'vitest';
import { postJson, UNREACHABLE } from '../../../src/playground/web/api.js';
import { channelToShow } from '../../../src/playground/web/channels.js';

// The page's calls to the playground: a stopped playground is explained, never an uncaught "Failed to fetch".
describe('the page’s calls to the playground', () => {
  it('explains a playground that does not answer instead of throwing', async () => {
    const refused = () => Promise.reject(new TypeError('Failed to fetch'));
    await expect(postJson('/api/command', {}, refused)).resolves.toEqual({ ok: false, error: UNREACHABLE });
    expect(UNREACHABLE).toMatch(/npm start/u);
  });

  it('passes the playground’s answers through, and its refusals as errors', async () => {
    const answer = (status: number, body: string) => () => Promise.resolve(new Response(body, { status, headers: { 'Content-Type': 'application/json' } }));
    await expect(postJson('/api/command', {}, answer(200, '{"ok":true,"interactionId":"1"}'))).resolves.toEqual({ ok: true, interactionId: '1' });
    await expect(postJson('/api/command', {}, answer(200, '{"ok":false,"error":"Fill in the required option \\"query\\"."}'))).resolves.toEqual({
      ok: false,
      error: 'Fill in the required option "query".',
    });
    await expect(postJson('/api/command', {}, answer(403, '{"error":"cross-origin request refused"}'))).resolves.toEqual({ ok: false, error: 'cross-origin request refused' });
    await expect(postJson('/api/command', {}, answer(502, 'Bad Gateway'))).resolves.toEqual({ ok: false, error: 'HTTP 502' });
  });

  it('sends JSON by POST', async () => {
    const seen: RequestInit[] = [];
    const recording = (_path: string | URL | Request, init?: RequestInit) => {
      seen.push(init ?? {});
      return Promise.resolve(new Response('{"ok":true}'));
    };
    await postJson('/api/post-now', { a: 1 }, recording as typeof fetch);
    expect(seen).toEqual([{ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' }]);
  });
});

// After a restart the page loads a new local Discord: a thread it showed is gone (it showed an empty, nameless channel).
describe('the channel the page shows after loading the server', () => {
  const channels = [
    { id: '1', name: 'general' },
    { id: '2', name: 'lessons' },
  ];

  it('keeps the channel shown when the server still has it', () => {
    expect(channelToShow(channels, '1')).toBe('1');
  });

  it('shows #lessons for a channel the server no longer has, or at first', () => {
    expect(channelToShow(channels, '99')).toBe('2');
    expect(channelToShow(channels, '')).toBe('2');
  });

  it('shows the first channel without a #lessons, and nothing without channels', () => {
    expect(channelToShow([{ id: '7', name: 'general' }], '99')).toBe('7');
    expect(channelToShow([], '99')).toBe('');
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { exitOnInterrupt } from '../../src/cli/interrupted.js';

describe('a lessons command interrupted', () => {
  const releases: (() => void)[] = [];
  afterEach(() => releases.splice(0).forEach((release) => release()));

  function interrupted(command: string | undefined, isTTY: boolean, signal: NodeJS.Signals) {
    const written: string[] = [];
    const codes: number[] = [];
    releases.push(exitOnInterrupt(command, { isTTY, write: (text: string) => written.push(text) }, (code) => codes.push(code)));
    process.emit(signal, signal);
    return { text: written.join(''), codes };
  }

  it('shows the cursor and wraps lines again on a terminal (the progress bar turned both off), then says what an import keeps; exit 130 for Ctrl+C', () => {
    const { text, codes } = interrupted('import', true, 'SIGINT');
    expect(text.startsWith('\x1b[?25h\x1b[?7h\n')).toBe(true);
    expect(text).toContain('interrupted (SIGINT): an import keeps its lessons only once it has printed its counts');
    expect(text).toContain('Run it again: lessons it already imported count as unchanged');
    expect(codes).toEqual([130]);
  });

  it('writes no terminal codes where no terminal is, and exits 143 on SIGTERM', () => {
    const { text, codes } = interrupted('vocab-refresh', false, 'SIGTERM');
    expect(text).toBe('interrupted (SIGTERM): the vocabularies stored so far are kept (stored a batch at a time); vocab-refresh again computes the rest, as the bot does\n');
    expect(codes).toEqual([143]);
  });

  it('says only that it was interrupted for a command that writes nothing, and catches one signal only', () => {
    const before = process.listenerCount('SIGINT');
    const { text, codes } = interrupted('list', false, 'SIGINT');
    expect(text).toBe('interrupted (SIGINT)\n');
    expect(codes).toEqual([130]);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

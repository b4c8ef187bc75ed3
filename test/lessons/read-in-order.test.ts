import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText, listSources, readEachInOrder, readInOrder, SourceError, type SourceFile, type SourceRead } from '../../src/lessons/sources.js';

/** Sources whose reads finish when the test says, recording how many run at once. */
function controlledSources(count: number) {
  const finish: ((text: string | Error) => void)[] = [];
  const state = { running: 0, most: 0, started: 0 };
  const sources: SourceFile[] = Array.from({ length: count }, (_, i) => ({
    path: `lesson-${i}.txt`,
    read: () =>
      new Promise<string>((resolve, reject) => {
        state.started += 1;
        state.running += 1;
        state.most = Math.max(state.most, state.running);
        finish[i] = (outcome) => {
          state.running -= 1;
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        };
      }),
  }));
  return { sources, finish, state };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('readInOrder: the next files are read while one is parsed', () => {
  it('yields every text in the sources’ order, whatever order the reads finish in', async () => {
    const { sources, finish } = controlledSources(6);
    const texts: string[] = [];
    const reading = (async () => {
      for await (const source of readInOrder(sources, 3)) texts.push(`${source.path}=${source.text}`);
    })();
    await settle();
    // Later files finish first; each is still handed over only after the ones before it.
    finish[2]?.('c');
    finish[1]?.('b');
    await settle();
    expect(texts).toEqual([]);
    finish[0]?.('a');
    await settle();
    expect(texts).toEqual(['lesson-0.txt=a', 'lesson-1.txt=b', 'lesson-2.txt=c']);
    for (const [i, text] of ['d', 'e', 'f'].entries()) {
      await settle();
      finish[3 + i]?.(text);
    }
    await reading;
    expect(texts.map((t) => t.split('=')[1])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('has at most `ahead` reads running at once, and starts the next while the consumer works', async () => {
    const { sources, finish, state } = controlledSources(10);
    const iterator = readInOrder(sources, 4)[Symbol.asyncIterator]();
    const first = iterator.next();
    await settle();
    expect(state.running).toBe(4);
    finish[0]?.('a');
    expect((await first).value).toEqual({ path: 'lesson-0.txt', text: 'a' });
    // While the consumer holds file 0, files 1–4 are being read: four again, not three.
    await settle();
    expect(state.started).toBe(5);
    expect(state.running).toBe(4);
    for (let i = 1; i < 10; i++) {
      const next = iterator.next();
      await settle();
      finish[i]?.(String(i));
      expect((await next).value?.text).toBe(String(i));
    }
    expect((await iterator.next()).done).toBe(true);
    expect(state.most).toBe(4);
  });

  it('fails at an unreadable file in its turn, after the files before it were handed over', async () => {
    const { sources, finish } = controlledSources(4);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const source of readInOrder(sources, 4)) seen.push(source.path);
    })();
    await settle();
    finish[1]?.(new SourceError('lesson-1.txt', 'could not be read (EIO)'));
    finish[2]?.('c');
    await settle();
    expect(seen).toEqual([]);
    finish[0]?.('a');
    await expect(reading).rejects.toThrow('lesson-1.txt: could not be read (EIO)');
    expect(seen).toEqual(['lesson-0.txt']);
  });

  it('leaves no unhandled rejection when the consumer stops while later reads fail', async () => {
    const { sources, finish } = controlledSources(5);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const iterator = readInOrder(sources, 4)[Symbol.asyncIterator]();
      const first = iterator.next();
      await settle();
      finish[0]?.('a');
      await first;
      await iterator.return(undefined);
      for (let i = 1; i < 5; i++) finish[i]?.(new SourceError(`lesson-${i}.txt`, 'could not be read (EIO)'));
      await settle();
      await settle();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('readEachInOrder: a file that cannot be read is that file’s problem', () => {
  it('hands it over in its turn as its SourceError, and reads the files after it', async () => {
    const { sources, finish } = controlledSources(4);
    const seen: SourceRead[] = [];
    const reading = (async () => {
      for await (const read of readEachInOrder(sources, 2)) seen.push(read);
    })();
    await settle();
    finish[0]?.('a');
    finish[1]?.(new SourceError('lesson-1.txt', 'not UTF-8 text (is this a lesson export?)', 1));
    await settle();
    finish[2]?.('c');
    await settle();
    finish[3]?.(new SourceError('lesson-3.txt', 'larger than 10 MiB, the limit for a lesson file'));
    await reading;
    expect(seen.map((read) => ('unreadable' in read ? `${read.path}! ${read.unreadable.message}` : `${read.path}=${read.text}`))).toEqual([
      'lesson-0.txt=a',
      'lesson-1.txt! lesson-1.txt:1: not UTF-8 text (is this a lesson export?)',
      'lesson-2.txt=c',
      'lesson-3.txt! lesson-3.txt: larger than 10 MiB, the limit for a lesson file',
    ]);
  });

  it('still stops at a failure that is not about the file (a bug), in its turn', async () => {
    const { sources, finish } = controlledSources(3);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const read of readEachInOrder(sources, 3)) seen.push(read.path);
    })();
    await settle();
    finish[1]?.(new TypeError('not a file problem'));
    finish[2]?.('c');
    finish[0]?.('a');
    await expect(reading).rejects.toThrow('not a file problem');
    expect(seen).toEqual(['lesson-0.txt']);
  });
});

describe('decodeText: lesson files are UTF-8', () => {
  const refusal = (bytes: number[]): string => {
    try {
      decodeText('lesson.txt', new Uint8Array(bytes));
    } catch (error) {
      return (error as SourceError).message;
    }
    return 'decoded';
  };

  const notUtf8 = (line: number, byte: string) =>
    `lesson.txt:${line}: not UTF-8 text: byte 0x${byte} on this line is not UTF-8 (is this a lesson export? If so, save it as UTF-8)`;

  it('reads UTF-8, and refuses other bytes naming the file, the line and the byte', () => {
    expect(decodeText('lesson.txt', new TextEncoder().encode('A: Grüße'))).toBe('A: Grüße');
    expect(refusal([0x41, 0xc3, 0x28])).toBe(notUtf8(1, 'C3'));
  });

  it('names the line of the first byte that is not UTF-8 (an export saved as Latin-1 or Windows-1252 was refused at line 1)', () => {
    // An export in UTF-8 but for one line an editor wrote in Latin-1: `Nakatani é` on line 3, lines ended as CRLF, CR and LF.
    const utf8 = (text: string) => [...Buffer.from(text, 'utf8')];
    expect(refusal([...utf8('A: Grüße\r\nB: ok\r'), ...Buffer.from('C: caf\u00e9 au lait\n', 'latin1'), ...utf8('D: \u00e9\n')])).toBe(notUtf8(3, 'E9'));
    // The lead byte of a character cut short (by a newline, or at the end), and a byte that continues nothing.
    expect(refusal([...utf8('line one\nline two '), 0xe2, 0x80, 0x0a])).toBe(notUtf8(2, 'E2'));
    expect(refusal([...utf8('a\nb\nc'), 0xf0, 0x9f])).toBe(notUtf8(3, 'F0'));
    expect(refusal([...utf8('a\n\u00e9'), 0xa9])).toBe(notUtf8(2, 'A9'));
    // Forms UTF-8 forbids: an overlong `/`, a surrogate, past U+10FFFF.
    expect(refusal([...utf8('a\n'), 0xc0, 0xaf])).toBe(notUtf8(2, 'C0'));
    expect(refusal([...utf8('a\n\n'), 0xed, 0xa0, 0x80])).toBe(notUtf8(3, 'ED'));
    expect(refusal([...utf8('a\r\n\r\n\r\n'), 0xf4, 0x90, 0x80, 0x80])).toBe(notUtf8(4, 'F4'));
    // Lines ended by Unicode's other line ends (NEL, LINE and PARAGRAPH SEPARATOR) are counted as the parser counts them.
    expect(refusal([...utf8('A: one\u2028B: two\u0085C: three\u2029'), ...Buffer.from('D: caf\u00e9', 'latin1')])).toBe(notUtf8(4, 'E9'));
  });

  it('says what to do with a file saved as UTF-16, little- or big-endian', () => {
    const hint = 'lesson.txt:1: not UTF-8 text: this file is UTF-16; save it as UTF-8 and import it again';
    expect(refusal([0xff, 0xfe, 0x41, 0x00, 0x3a, 0x00])).toBe(hint);
    expect(refusal([0xfe, 0xff, 0x00, 0x41, 0x00, 0x3a])).toBe(hint);
    // Bytes that merely contain those values later are not taken for UTF-16.
    expect(refusal([0x41, 0xff, 0xfe])).toBe(notUtf8(1, 'FF'));
  });

  it('knows UTF-16 without its byte order mark (it was read as text full of U+0000), and leaves UTF-8 alone', () => {
    const hint = 'lesson.txt:1: not UTF-8 text: this file is UTF-16; save it as UTF-8 and import it again';
    const text = 'Title: Japan and US agree\nID: add8c4f2';
    expect(refusal([...Buffer.from(text, 'utf16le')])).toBe(hint);
    expect(refusal([...Buffer.from(text, 'utf16le').swap16()])).toBe(hint);
    expect(decodeText('lesson.txt', Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText('lesson.txt', Buffer.from('日本とアメリカ', 'utf8'))).toBe('日本とアメリカ');
  });
});

describe('listSources: what a folder holds', () => {
  it('lists a named pipe named like a lesson file, which its read then refuses by name (it was left out silently)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'newsdesk-fifo-'));
    try {
      writeFileSync(join(dir, 'a.txt'), 'lesson a');
      execFileSync('mkfifo', [join(dir, 'b.txt')]);
      execFileSync('mkfifo', [join(dir, 'c.fifo')]);
      const sources = await listSources([dir]);
      expect(sources.map((source) => source.path)).toEqual([join(dir, 'a.txt'), join(dir, 'b.txt')]);
      const reads: SourceRead[] = [];
      for await (const read of readEachInOrder(sources)) reads.push(read);
      expect(reads[0]).toEqual({ path: join(dir, 'a.txt'), text: 'lesson a' });
      const refused = reads[1] as { unreadable: SourceError };
      expect(refused.unreadable.message).toBe(`${join(dir, 'b.txt')}: not a regular file (a device, pipe or socket cannot be a lesson file)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

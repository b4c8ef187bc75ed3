import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { normalize, sep } from 'node:path';
import { lineAt } from '../domain/lesson-parser/lines.js';

/** One input to an import: where it came from (for error messages) and its text. */
export interface LessonSource {
  readonly path: string;
  readonly text: string;
}

/**
 * An input that cannot be read as a lesson file: what and where (`path`, and `line` when the problem is on one).
 * Its message is the line the CLI prints: `path: reason` or `path:line: reason`.
 */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly line: number | null = null,
  ) {
    super(line === null ? `${path}: ${reason}` : `${path}:${line}: ${reason}`);
  }
}

/**
 * The largest lesson file the CLI reads (and standard input): a lesson export is a few kilobytes, and a
 * JSON file of a thousand lessons about 5 MiB. Bigger inputs are refused before they are read.
 */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;
const MAX_SOURCE_MIB = MAX_SOURCE_BYTES / 1024 / 1024;

const tooLarge = (path: string): SourceError =>
  new SourceError(path, `larger than ${MAX_SOURCE_MIB} MiB, the limit for a lesson file; split it into smaller files`);

/** In a directory only these are read; a file named on the command line is read whatever its name. */
const LESSON_FILE = /\.(txt|json)$/iu;

/**
 * One input to an import, not read yet: a big import reads its files in turn (on PostgreSQL once, checked as
 * they are written; on PGlite twice: once to check them all, once to write them), so only a few files' text is
 * in memory at once (readInOrder).
 */
export interface SourceFile {
  readonly path: string;
  /** The file's text, read now (with the checks of readLessonFile); standard input is read once and kept. */
  read(): Promise<string>;
}

/**
 * Expands the CLI's arguments (files, directories, `-` for standard input) into sources, in a stable order,
 * without reading the files: a missing argument is refused at once, a file that cannot be read when it is.
 */
export async function listSources(args: readonly string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<SourceFile[]> {
  const sources: SourceFile[] = [];
  // Real paths listed so far, across the arguments: a file named and also inside a folder named (or two overlapping
  // folders) is read once, at its first place; it was read twice, and refused as "also in" itself (until 2026-12-07).
  const listed = new Set<string>();
  for (const arg of args) {
    if (arg === '-') {
      // Standard input cannot be read twice: it is kept (at most MAX_SOURCE_BYTES).
      const text = decodeText('<stdin>', await readAll(stdin));
      sources.push({ path: '<stdin>', read: async () => text });
      continue;
    }
    const info = await stat(arg).catch((error: unknown) => {
      throw new SourceError(arg, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : `cannot be read (${describeError(error)})`);
    });
    if (info.isDirectory()) {
      const paths = await listLessonFiles(arg, listed);
      // A directory without lesson files is a mistake (the wrong folder), named rather than passed over; one whose
      // files were all listed already is not.
      if (paths.length === 0 && (await listLessonFiles(arg)).length === 0) throw new SourceError(arg, 'no lesson files (.txt or .json) in this directory');
      for (const path of paths) sources.push(new LessonFileSource(path));
      continue;
    }
    const real = await realpath(arg).catch(() => arg);
    if (listed.has(real)) continue;
    listed.add(real);
    sources.push(new LessonFileSource(arg));
  }
  return sources;
}

/**
 * A lesson file named or found in a directory. A class, not an object with a closure of its own: a folder of
 * 100,000 files is 100,000 of them, held for the whole import (a closure and its context each: ~10 MB more).
 */
class LessonFileSource implements SourceFile {
  constructor(readonly path: string) {}

  async read(): Promise<string> {
    return decodeText(this.path, readLessonFile(this.path));
  }
}

/** Sources asked for ahead of the one being parsed (readInOrder). */
const READ_AHEAD = 4;

/** A source's text, or why it cannot be read as a lesson file (that file's problem: an import lists it with the others'). */
export type SourceRead = LessonSource | { readonly path: string; readonly unreadable: SourceError };

/**
 * The sources' texts in their order, the next few asked for meanwhile: a source read asynchronously overlaps
 * the parsing of the ones before it (the files' reads did, through libuv's thread pool, until reading them
 * synchronously proved cheaper: readLessonFile). At most `ahead` + 1 texts are held at once (each at most
 * MAX_SOURCE_BYTES). A source that cannot be read as a lesson file (too big, not UTF-8, not a regular file, refused
 * by the system) comes in its turn as its SourceError, and the next ones are read as before; any other failure
 * ends the reading in its turn.
 */
export async function* readEachInOrder(sources: readonly SourceFile[], ahead = READ_AHEAD): AsyncGenerator<SourceRead> {
  const reading: Promise<SourceRead>[] = [];
  let next = 0;
  const readAhead = () => {
    while (next < sources.length && reading.length < ahead) {
      const source = sources[next] as SourceFile;
      const path = source.path;
      const read = source.read().then(
        (text): SourceRead => ({ path, text }),
        (error: unknown): SourceRead => {
          if (error instanceof SourceError) return { path, unreadable: error };
          throw error;
        },
      );
      // Awaited in its turn below; if the import stops before then, its failure is not an unhandled one.
      read.catch(() => undefined);
      reading.push(read);
      next += 1;
    }
  };
  readAhead();
  for (let i = 0; i < sources.length; i += 1) {
    const read = await (reading.shift() as Promise<SourceRead>);
    readAhead();
    yield read;
  }
}

/** readEachInOrder for readers that stop at the first source that cannot be read: its SourceError is thrown in its turn. */
export async function* readInOrder(sources: readonly SourceFile[], ahead = READ_AHEAD): AsyncGenerator<LessonSource> {
  for await (const read of readEachInOrder(sources, ahead)) {
    if ('unreadable' in read) throw read.unreadable;
    yield read;
  }
}

/** Every source read into memory (small inputs: the examples, tests). A big import reads them in turn (readInOrder). */
export async function readSources(args: readonly string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<LessonSource[]> {
  const sources: LessonSource[] = [];
  for await (const source of readInOrder(await listSources(args, stdin))) sources.push(source);
  return sources;
}

/** What a read asks for past a file's stated size (which may be wrong: it is read until it ends). */
const READ_CHUNK = 64 * 1024;

/**
 * Reads a regular file of at most MAX_SOURCE_BYTES. Devices (`/dev/urandom` never ends), pipes and
 * sockets are refused before they are opened; the file is opened without blocking (a pipe put in its place
 * meanwhile cannot hold the open up) and checked again; it is read to its end whatever its stated size
 * (`/proc` files say 0 bytes), and the read stops past the limit in case the file grows meanwhile. A file the
 * system will not read (`/proc/self/mem`, no permission) is refused with its name and the reason.
 *
 * Synchronous: the lessons CLI is its only reader, and its thread is a big import's bound. The same five
 * calls through the promise API (each a trip to libuv's thread pool and back) took 1.9–2.4 s of wall time and
 * ~3 s of CPU for 10,000 files, these 0.43 s and ~0.5 s (BENCHMARKS.md, "Import: the vocabulary alongside").
 */
function readLessonFile(path: string): Uint8Array {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  if (!before.isFile()) throw notAFile(path);
  if (before.size > MAX_SOURCE_BYTES) throw tooLarge(path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw notAFile(path);
    if (info.size > MAX_SOURCE_BYTES) throw tooLarge(path);
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      // The stated size and one byte more (a short read is then the end: one read for a file as it says), then
      // chunks until a read gives nothing, for a file that holds more than it says.
      const withinStated = length < info.size;
      const chunk = Buffer.alloc(Math.min(withinStated ? info.size - length + 1 : READ_CHUNK, MAX_SOURCE_BYTES + 1 - length));
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, chunk, 0, chunk.length, length);
      } catch (error) {
        throw unreadable(path, error);
      }
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_SOURCE_BYTES) throw tooLarge(path);
      chunks.push(chunk.subarray(0, bytesRead));
      if (withinStated && bytesRead < chunk.length) break;
    }
    return Buffer.concat(chunks, length);
  } finally {
    closeSync(fd);
  }
}

function unreadable(path: string, error: unknown): SourceError {
  return new SourceError(path, `could not be read (${describeError(error)})`);
}

function notAFile(path: string): SourceError {
  return new SourceError(path, 'not a regular file (a device, pipe or socket cannot be a lesson file)');
}

/** `EACCES`, `EIO`: the system's code, else its message. */
function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** What join(folder, name) puts before `name`, for any name without a separator (listLessonFiles). */
export function joinPrefix(folder: string): string {
  const base = normalize(folder);
  if (base === '.' || base === `.${sep}`) return '';
  return base.endsWith(sep) ? base : `${base}${sep}`;
}

/**
 * The lesson files below a directory, in name order. Symbolic links are followed (a folder of links, as git-annex
 * or a dotfiles manager makes, holds lessons too): a folder or a file reached twice (a link to one listed already,
 * a link back to a folder being listed) is listed once, at its first path in name order, and a link named like a
 * lesson file is listed whatever it points to (and a pipe, socket or device so named whatever it is), so that
 * reading it reports a broken link or a device by name rather than leaving it out silently.
 */
async function listLessonFiles(dir: string, listed = new Set<string>()): Promise<string[]> {
  const real = await realpath(dir).catch(() => dir);
  if (listed.has(real)) return [];
  listed.add(real);
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new SourceError(dir, `directory could not be read (${describeError(error)})`);
  });
  const files: string[] = [];
  // path.join(dir, name) and path.join(real, name) for every entry, without normalising each path again (an
  // entry's name has no separator): join's result is a string built of pieces, and a folder of 100,000 files
  // kept 48 MB of heap after its listing (20.7 MB now) and took the process to 151 MB of RSS (96 MB now).
  const dirPrefix = joinPrefix(dir);
  const realPrefix = joinPrefix(real);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = `${dirPrefix}${entry.name}`;
    const folder = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isDirectory() === true);
    // One at a time: spreading a big folder's list into push() would overflow the stack.
    if (folder) for (const file of await listLessonFiles(path, listed)) files.push(file);
    // Anything else named like a lesson file is listed too, a named pipe or a socket included: reading it refuses it
    // by name (until 2026-12-07 it was left out without a word).
    else if (LESSON_FILE.test(entry.name)) {
      // A plain file's real path is its folder's; only a link's needs asking (a broken one's is its own).
      const realFile = entry.isSymbolicLink() ? await realpath(path).catch(() => path) : `${realPrefix}${entry.name}`;
      if (listed.has(realFile)) continue;
      listed.add(realFile);
      files.push(path);
    }
  }
  return files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A UTF-16 byte order mark (little- or big-endian): what Windows editors write when text is saved as "Unicode". */
const startsAsUtf16 = (bytes: Uint8Array): boolean => (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);

/**
 * UTF-16 without its mark: a NUL in every other byte of the first ones (Latin text in UTF-16LE or BE). Valid UTF-8 as
 * bytes, it was read as text full of U+0000 (a "control character" problem on every line).
 */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const pairs = Math.min(256, Math.floor(bytes.length / 2));
  if (pairs < 4) return false;
  let low = 0;
  let high = 0;
  for (let i = 0; i < pairs; i += 1) {
    if (bytes[2 * i] === 0) high += 1;
    if (bytes[2 * i + 1] === 0) low += 1;
  }
  return Math.max(low, high) >= pairs * 0.9 && Math.min(low, high) <= pairs * 0.1;
}

/**
 * Lesson files are UTF-8 text; anything else is refused with the file's name rather than read as garbage (a
 * UTF-16 file, a lesson export saved as "Unicode" on Windows, with what to do about it). Other bytes that are not
 * UTF-8 are named with their line (an export edited in an editor that saved it as Windows-1252 or Latin-1 is UTF-8
 * but for its one `é` or curly quote: until 2026-12-08 it was refused at line 1, whichever line held it).
 */
export function decodeText(path: string, bytes: Uint8Array): string {
  const utf16 = startsAsUtf16(bytes) || looksLikeUtf16(bytes);
  if (!utf16) {
    try {
      return utf8.decode(bytes);
    } catch {
      const at = firstNonUtf8Byte(bytes);
      const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
      // The bytes before it are UTF-8 (it is the first that is not): their text numbers the line as the parser does.
      const before = utf8.decode(bytes.subarray(0, at));
      const line = lineAt(before, before.length);
      throw new SourceError(path, `not UTF-8 text: byte 0x${byte} on this line is not UTF-8 (is this a lesson export? If so, save it as UTF-8)`, line);
    }
  }
  throw new SourceError(path, 'not UTF-8 text: this file is UTF-16; save it as UTF-8 and import it again', 1);
}

/**
 * Where the first byte that is not UTF-8 is (the lead byte of a character cut short: Latin-1's `é` before a letter),
 * in bytes a strict decoder refused; read byte by byte, as the Encoding Standard's decoder does (no text is made:
 * halving the file with the decoder took a 10 MiB file's read to 1.6 s and 288 MB).
 */
function firstNonUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    // The bytes that follow, and the range the first of them must be in (no overlong form, no surrogate, nothing past U+10FFFF).
    let more: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) more = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      more = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      more = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= more; k += 1) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += more + 1;
  }
  return bytes.length;
}


/** Standard input, up to the same limit as a file: `cat /dev/urandom | … import -` stops at once. */
async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += bytes.length;
    if (length > MAX_SOURCE_BYTES) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooLarge('<stdin>');
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

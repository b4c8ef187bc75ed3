import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One input to an import: where it came from (for error messages) and its text. */
export interface LessonSource {
  readonly path: string;
  readonly text: string;
}

export class SourceError extends Error {
  override readonly name = 'SourceError';
}

/** In a directory only these are read; a file named on the command line is read whatever its name. */
const LESSON_FILE = /\.(txt|json)$/iu;

/** Expands the CLI's arguments (files, directories, `-` for standard input) into sources, in a stable order. */
export async function readSources(args: readonly string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<LessonSource[]> {
  const sources: LessonSource[] = [];
  for (const arg of args) {
    if (arg === '-') {
      sources.push({ path: '<stdin>', text: decodeText('<stdin>', await readAll(stdin)) });
      continue;
    }
    const info = await stat(arg).catch(() => {
      throw new SourceError(`${arg}: no such file or directory`);
    });
    if (info.isDirectory()) {
      for (const file of await listLessonFiles(arg)) sources.push({ path: file, text: decodeText(file, await readFile(file)) });
    } else {
      sources.push({ path: arg, text: decodeText(arg, await readFile(arg)) });
    }
  }
  return sources;
}

async function listLessonFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listLessonFiles(path)));
    else if (entry.isFile() && LESSON_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Lesson files are UTF-8 text; anything else is refused with the file's name rather than read as garbage. */
export function decodeText(path: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new SourceError(`${path}:1: not UTF-8 text (is this a lesson export?)`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

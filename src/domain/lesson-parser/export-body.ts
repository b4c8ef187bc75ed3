import type { DialogueLine } from '../lesson.js';
import type { ProblemList } from './errors.js';
import { excerpt, type Line } from './lines.js';
import { isSeparator, speakerLine } from './patterns.js';

/** One dialogue-and-article pair as the export shows it, with the lines each starts on (for messages). */
interface Copy {
  readonly dialogue: DialogueLine[];
  readonly article: string[];
  readonly dialogueLine: number | null;
  readonly articleLine: number | null;
}

export interface Body {
  readonly dialogue: readonly DialogueLine[];
  readonly article: readonly string[];
  /** The line the chosen dialogue starts on (null without one). */
  readonly dialogueLine: number | null;
  /** The line the chosen article starts on (null without one). */
  readonly articleLine: number | null;
}

/**
 * Reads the dialogue and article from the lines before the first trailing section.
 *
 * The source app's export repeats the blocks (a copy-paste artefact), sometimes partially:
 *
 *     dialogue ---- article dialogue' ---- article' …
 *
 * A separator always sits between a dialogue and its article; the next copy's dialogue follows
 * its article with no separator, and starts at the first line spoken by someone already heard
 * in a dialogue. The most complete copy wins: the one with the most lines, the first on a tie.
 * Without any separator the whole body is the article: an export without a dialogue.
 */
export function parseBody(lines: readonly Line[], problems: ProblemList, bodyEnd: number): Body {
  const hasDialogue = lines.some(isSeparator);
  const best = mostComplete(
    hasDialogue ? copies(splitAtSeparators(lines), problems) : [{ dialogue: [], article: texts(lines), dialogueLine: null, articleLine: lines[0]?.no ?? null }],
  );
  if (!best) {
    reportNoArticle(lines, problems, bodyEnd);
    return { dialogue: [], article: [], dialogueLine: null, articleLine: null };
  }
  return best;
}

/** Reported at the last separator, where the article should have followed, or where the body should have been. */
function reportNoArticle(lines: readonly Line[], problems: ProblemList, bodyEnd: number): void {
  const separator = lines.findLast(isSeparator);
  if (separator) problems.add(separator.no, 'no article: expected article paragraphs after this ---- separator');
  else problems.add(bodyEnd, 'no article: expected the dialogue, a ---- separator and the article before this line');
}

function texts(lines: readonly Line[]): string[] {
  return lines.map((line) => line.text);
}

/** The lines before the first separator, then each run between separators (empty runs dropped: doubled separators). */
function splitAtSeparators(lines: readonly Line[]): Line[][] {
  const segments: Line[][] = [[]];
  for (const line of lines) {
    if (isSeparator(line)) segments.push([]);
    else segments[segments.length - 1]?.push(line);
  }
  const [first = [], ...rest] = segments;
  return [first, ...rest.filter((segment) => segment.length > 0)];
}

function copies(segments: readonly Line[][], problems: ProblemList): Copy[] {
  const [first = [], ...rest] = segments;
  const found: Copy[] = [];
  let dialogue = parseDialogue(first, problems);
  let dialogueLine = first[0]?.no ?? null;
  const speakers = new Set(dialogue.map((turn) => turn.speaker));
  for (const segment of rest) {
    const start = dialogueStart(segment, speakers);
    found.push({ dialogue, article: texts(segment.slice(0, start)), dialogueLine, articleLine: segment[0]?.no ?? null });
    dialogue = parseDialogue(segment.slice(start), problems);
    dialogueLine = segment[start]?.no ?? null;
    for (const turn of dialogue) speakers.add(turn.speaker);
  }
  // A trailing dialogue with no article after it is a copy too, but never a usable one.
  if (dialogue.length > 0) found.push({ dialogue, article: [], dialogueLine, articleLine: null });
  return found;
}

/** Index of the first line spoken by a known speaker: where an article ends and the next copy's dialogue begins. */
function dialogueStart(segment: readonly Line[], speakers: ReadonlySet<string>): number {
  const index = segment.findIndex((line) => {
    const turn = speakerLine(line);
    return turn !== null && speakers.has(turn.speaker);
  });
  return index === -1 ? segment.length : index;
}

/**
 * Turns `Speaker: text` lines into dialogue. A line without a speaker continues the turn
 * before it (a long turn wrapped by an editor); one with no turn before it is a problem.
 */
function parseDialogue(lines: readonly Line[], problems: ProblemList): DialogueLine[] {
  const dialogue: DialogueLine[] = [];
  for (const line of lines) {
    const turn = speakerLine(line);
    const previous = dialogue[dialogue.length - 1];
    if (turn) dialogue.push(turn);
    else if (previous) dialogue[dialogue.length - 1] = { speaker: previous.speaker, text: `${previous.text} ${line.text}` };
    else problems.add(line.no, `expected a dialogue line "Speaker: text" before the ---- separator, found "${excerpt(line.text)}"`);
  }
  return dialogue;
}

function mostComplete(candidates: readonly Copy[]): Copy | undefined {
  let best: Copy | undefined;
  for (const copy of candidates) {
    if (copy.article.length === 0) continue;
    if (!best || size(copy) > size(best)) best = copy;
  }
  return best;
}

const size = (copy: Copy): number => copy.dialogue.length + copy.article.length;


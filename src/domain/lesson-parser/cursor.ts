import type { Line } from './lines.js';

/** Walks an export's lines front to back, one section at a time. */
export class Cursor {
  private index = 0;

  constructor(private readonly lines: readonly Line[]) {}

  peek(): Line | undefined {
    return this.lines[this.index];
  }

  next(): Line | undefined {
    const line = this.lines[this.index];
    if (line) this.index += 1;
    return line;
  }

  /** Takes lines up to (not including) the first one matching `stop`. */
  takeUntil(stop: (line: Line) => boolean): Line[] {
    const start = this.index;
    for (let line = this.peek(); line && !stop(line); line = this.peek()) this.index += 1;
    return this.lines.slice(start, this.index);
  }

  /** Takes up to `count` lines, stopping early before a line matching `stop`. */
  takeAtMost(count: number, stop: (line: Line) => boolean): Line[] {
    const start = this.index;
    for (let line = this.peek(); line && !stop(line) && this.index - start < count; line = this.peek()) this.index += 1;
    return this.lines.slice(start, this.index);
  }

  /** Moves to the next line matching `target` if there is one; otherwise stays put and returns false. */
  skipTo(target: (line: Line) => boolean): boolean {
    const offset = this.lines.slice(this.index).findIndex(target);
    if (offset === -1) return false;
    this.index += offset;
    return true;
  }

  rest(): Line[] {
    return this.takeUntil(() => false);
  }
}

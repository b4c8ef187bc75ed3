/** Show the cursor (DECTCEM), wrap long lines (DECAWM): what a progress bar turns off while it draws. */
const TERMINAL_RESTORED = '\x1b[?25h\x1b[?7h';

/** What a command keeps when it is stopped half-way, said on the line after the interruption. */
const KEPT: Readonly<Record<string, string>> = {
  import:
    'an import keeps its lessons only once it has printed its counts ("imported …": it is one transaction, which the database drops with the connection), and leaves vocabulary not yet computed to vocab-refresh or the bot. Run it again: lessons it already imported count as unchanged',
  'vocab-refresh': 'the vocabularies stored so far are kept (stored a batch at a time); vocab-refresh again computes the rest, as the bot does',
};

/**
 * Ctrl+C (SIGINT) or SIGTERM while a lessons command runs: the terminal's cursor and line wrapping back (the
 * progress bars turn both off, and a process ended by the signal itself left them off), one line on what is
 * kept, and the shell's exit code for the signal (130, 143). Nothing is undone by hand: the import's transaction
 * ends with its connection. Only the first signal is caught; a second one ends the process as the signal does.
 */
export function exitOnInterrupt(
  command: string | undefined,
  output: { readonly isTTY?: boolean; write(text: string): unknown } = process.stderr,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    // The cursor shown and line wrapping turned on again (a progress bar turns both off while it draws); its line
    // is left as it was, and the message starts on the next one.
    if (output.isTTY) output.write(`${TERMINAL_RESTORED}\n`);
    const kept = command === undefined ? undefined : KEPT[command];
    output.write(`interrupted (${signal})${kept ? `: ${kept}` : ''}\n`);
    exit(signal === 'SIGINT' ? 130 : 143);
  };
  const release = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return release;
}

// The message box's understanding of `/command sub option:value …`, built only from the commands the bot
// registered: what is being typed, what to suggest, and what to send. Pure (no DOM), tested in Node.

export const OPTION_TYPES = {
  SUB_COMMAND: 1,
  SUB_COMMAND_GROUP: 2,
  STRING: 3,
  INTEGER: 4,
  BOOLEAN: 5,
  USER: 6,
  CHANNEL: 7,
  ROLE: 8,
  MENTIONABLE: 9,
  NUMBER: 10,
  ATTACHMENT: 11,
};
const TYPE_NAMES = { 3: 'text', 4: 'whole number', 5: 'true/false', 6: 'member', 7: 'channel', 8: 'role', 9: 'member or role', 10: 'number', 11: 'file' };

/**
 * @typedef {{ name: string, description?: string, type: number, required?: boolean, autocomplete?: boolean,
 *   choices?: { name: string, value: string | number }[], options?: CommandOption[], channel_types?: number[],
 *   min_value?: number, max_value?: number, min_length?: number, max_length?: number }} CommandOption
 * @typedef {{ name: string, description?: string, type?: number, options?: CommandOption[] }} Command
 * @typedef {{ name: string, value: string, definition: CommandOption, start: number }} GivenOption
 * @typedef {{
 *   kind: 'none' | 'command' | 'subcommand' | 'option-name' | 'option-value',
 *   partial: string,
 *   replaceFrom: number,
 *   command?: Command, group?: CommandOption, subcommand?: CommandOption,
 *   leafOptions: CommandOption[], given: GivenOption[], option?: CommandOption, error?: string,
 * }} Analysis
 * @typedef {{ label: string, detail?: string, insert?: string, choice?: { name: string, value: string | number },
 *   pickFile?: string, hint?: boolean }} Suggestion
 */

const isSub = (/** @type {CommandOption} */ o) => o.type === OPTION_TYPES.SUB_COMMAND || o.type === OPTION_TYPES.SUB_COMMAND_GROUP;

/**
 * Reads the box's text against the registered commands.
 * @param {string} text
 * @param {Command[]} commands
 * @returns {Analysis}
 */
export function analyze(text, commands) {
  /** @type {Analysis} */
  const result = { kind: 'none', partial: '', replaceFrom: text.length, leafOptions: [], given: [] };
  if (!text.startsWith('/')) return result;
  const nameEnd = text.indexOf(' ');
  if (nameEnd < 0) return { ...result, kind: 'command', partial: text.slice(1), replaceFrom: 0 };
  const chatCommands = commands.filter((c) => (c.type ?? 1) === 1);
  const command = chatCommands.find((c) => c.name === text.slice(1, nameEnd).toLowerCase());
  if (!command) return { ...result, error: `/${text.slice(1, nameEnd)} is not a command here` };
  result.command = command;
  let level = command.options ?? [];
  let position = nameEnd + 1;

  // Subcommand group and subcommand: whole words after the command's name.
  for (let depth = 0; depth < 2 && level.some(isSub); depth += 1) {
    const rest = text.slice(position);
    const spaces = rest.length - rest.trimStart().length;
    position += spaces;
    const wordEnd = text.indexOf(' ', position);
    if (wordEnd < 0) return { ...result, kind: 'subcommand', partial: text.slice(position), replaceFrom: position, leafOptions: level.filter(isSub) };
    const word = text.slice(position, wordEnd).toLowerCase();
    const found = level.find((o) => isSub(o) && o.name === word);
    if (!found) return { ...result, error: `/${command.name} has no subcommand "${word}"` };
    if (found.type === OPTION_TYPES.SUB_COMMAND_GROUP) result.group = found;
    else result.subcommand = found;
    level = found.options ?? [];
    position = wordEnd + 1;
  }
  if (level.some(isSub)) return { ...result, error: `choose a subcommand of /${command.name}` };
  result.leafOptions = level;

  // Options: `name:value`; a value runs until the next ` name:` of this command's options.
  const names = level.map((o) => o.name.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
  const tail = text.slice(position);
  const starts = [];
  if (names.length > 0) {
    const re = new RegExp(`(^|\\s)(${names.join('|')}):`, 'gu');
    for (let match = re.exec(tail); match; match = re.exec(tail)) {
      starts.push({ name: match[2] ?? '', at: position + match.index + (match[1] ?? '').length, valueAt: position + match.index + match[0].length });
    }
  }
  const before = text.slice(position, starts[0]?.at ?? text.length);
  starts.forEach((start, index) => {
    const end = starts[index + 1]?.at ?? text.length;
    const definition = level.find((o) => o.name === start.name);
    if (definition) result.given.push({ name: start.name, value: text.slice(start.valueAt, end), definition, start: start.valueAt });
  });

  const last = result.given[result.given.length - 1];
  const lastWord = /(\S*)$/u.exec(text)?.[1] ?? '';
  const unused = level.filter((o) => !result.given.some((g) => g.name === o.name));
  const startsAnOption = lastWord !== '' && !lastWord.includes(':') && unused.some((o) => o.name.startsWith(lastWord.toLowerCase()));
  const naming = { ...result, kind: /** @type {const} */ ('option-name'), partial: lastWord, replaceFrom: text.length - lastWord.length };
  if (!last) {
    if (before.trim() === '' || (startsAnOption && before.trim() === lastWord)) return naming;
    return { ...result, error: `type an option name, like ${level[0]?.name ?? 'option'}:` };
  }
  const value = last.value.trim();
  if (value !== '' && (text.endsWith(' ') || (startsAnOption && value !== lastWord))) return naming;
  return { ...result, kind: 'option-value', option: last.definition, partial: last.value.trimStart(), replaceFrom: last.start + (last.value.length - last.value.trimStart().length) };
}

/**
 * What to offer for the current analysis. Autocomplete options ask the bot (`botChoices`, fetched by the
 * page); channels, members and roles come from the page's directory.
 * @param {Analysis} analysis
 * @param {{ commands: Command[], channels?: { id: string, name: string, type: number }[], users?: { username: string, globalName?: string }[],
 *   roles?: { name: string }[], botChoices?: { name: string, value: string | number }[] }} context
 * @returns {Suggestion[]}
 */
export function suggestions(analysis, context) {
  const partial = analysis.partial.toLowerCase();
  switch (analysis.kind) {
    case 'command':
      return context.commands
        .filter((c) => (c.type ?? 1) === 1 && c.name.startsWith(partial))
        .map((c) => ({ label: `/${c.name}`, detail: c.description ?? '', insert: `/${c.name} ` }));
    case 'subcommand':
      return analysis.leafOptions
        .filter((o) => o.name.startsWith(partial))
        .map((o) => ({ label: o.name, detail: o.description ?? '', insert: `${o.name} ` }));
    case 'option-name':
      return analysis.leafOptions
        .filter((o) => !analysis.given.some((g) => g.name === o.name) && o.name.startsWith(partial))
        .sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)))
        .map((o) => ({
          label: `${o.name}:`,
          detail: `${o.required ? 'required · ' : ''}${TYPE_NAMES[/** @type {keyof typeof TYPE_NAMES} */ (o.type)] ?? ''} · ${o.description ?? ''}`,
          insert: o.type === OPTION_TYPES.ATTACHMENT ? `${o.name}:` : `${o.name}:`,
          ...(o.type === OPTION_TYPES.ATTACHMENT ? { pickFile: o.name } : {}),
        }));
    case 'option-value':
      return valueSuggestions(analysis.option, partial, context);
    default:
      return [];
  }
}

function valueSuggestions(/** @type {CommandOption | undefined} */ option, /** @type {string} */ partial, /** @type {Parameters<typeof suggestions>[1]} */ context) {
  if (!option) return [];
  const query = partial.trim().replace(/^[#@]/u, '');
  const matches = (/** @type {string} */ s) => s.toLowerCase().includes(query);
  if (option.autocomplete) {
    return (context.botChoices ?? []).map((c) => ({ label: c.name, detail: String(c.value) === c.name ? '' : String(c.value), insert: `${c.name} `, choice: c }));
  }
  if (option.choices) return option.choices.filter((c) => matches(c.name) || matches(String(c.value))).map((c) => ({ label: c.name, insert: `${c.name} `, choice: c }));
  switch (option.type) {
    case OPTION_TYPES.BOOLEAN:
      return ['true', 'false'].filter((v) => v.startsWith(partial.trim())).map((v) => ({ label: v, insert: `${v} ` }));
    case OPTION_TYPES.CHANNEL:
      return (context.channels ?? [])
        .filter((c) => (!option.channel_types || option.channel_types.includes(c.type)) && matches(c.name))
        .map((c) => ({ label: `#${c.name}`, insert: `#${c.name} ` }));
    case OPTION_TYPES.USER:
    case OPTION_TYPES.MENTIONABLE: {
      const users = (context.users ?? []).filter((u) => matches(u.username)).map((u) => ({ label: `@${u.username}`, detail: u.globalName ?? '', insert: `@${u.username} ` }));
      const roles = option.type === OPTION_TYPES.MENTIONABLE ? roleSuggestions(context, matches) : [];
      return [...users, ...roles];
    }
    case OPTION_TYPES.ROLE:
      return roleSuggestions(context, matches);
    case OPTION_TYPES.ATTACHMENT:
      return [{ label: 'Choose a file…', detail: option.description ?? '', pickFile: option.name }];
    default:
      return [{ label: option.description ?? option.name, detail: rangeHint(option), hint: true }];
  }
}

// The server's @everyone role (named so, with the server's id) is listed too, as Discord's client lists it in every role
// option: the daily ping may be @everyone, and `/schedule moderators` refuses it. Shown once, never as "@@everyone".
function roleSuggestions(/** @type {Parameters<typeof suggestions>[1]} */ context, /** @type {(s: string) => boolean} */ matches) {
  return (context.roles ?? [])
    .map((r) => (r.name.startsWith('@') ? r.name : `@${r.name}`))
    .filter((shown) => matches(shown.slice(1)))
    .map((shown) => ({ label: shown, insert: `${shown} ` }));
}

function rangeHint(/** @type {CommandOption} */ option) {
  const parts = [TYPE_NAMES[/** @type {keyof typeof TYPE_NAMES} */ (option.type)] ?? ''];
  if (option.min_value !== undefined || option.max_value !== undefined) parts.push(`${option.min_value ?? '…'}–${option.max_value ?? '…'}`);
  if (option.min_length !== undefined || option.max_length !== undefined) parts.push(`${option.min_length ?? 0}–${option.max_length ?? 6000} characters`);
  return parts.filter(Boolean).join(' · ');
}

/**
 * The command to send, from the box's text. A value picked from choices is shown by its name and sent as its
 * value (as in Discord), through `picked`.
 * @param {string} text
 * @param {Command[]} commands
 * @param {Map<string, { name: string, value: string | number }>} [picked]
 * @returns {{ ok: true, command: { name: string, subcommandGroup?: string, subcommand?: string, options: { name: string, value: string, shown?: string }[] }, attachmentOptions: string[] } | { ok: false, error: string }}
 */
export function toCommand(text, commands, picked = new Map()) {
  const trimmed = text.trimEnd();
  const analysis = analyze(trimmed + ' ', commands);
  if (!trimmed.startsWith('/')) return { ok: false, error: 'Type / to run one of the bot’s commands.' };
  if (analysis.error) return { ok: false, error: analysis.error };
  if (!analysis.command) return { ok: false, error: 'Type the command’s name, e.g. /lesson.' };
  if (analysis.kind === 'subcommand') return { ok: false, error: `Choose a subcommand: ${analysis.leafOptions.map((o) => o.name).join(', ')}.` };
  const options = analysis.given
    .filter((g) => g.definition.type !== OPTION_TYPES.ATTACHMENT)
    .map((g) => {
      const value = g.value.trim();
      // A choice picked from the list, or one of the option's choices typed by the name shown for it.
      const pickedChoice = picked.get(g.name);
      const choice =
        pickedChoice && pickedChoice.name === value ? pickedChoice : g.definition.choices?.find((c) => c.name.toLowerCase() === value.toLowerCase());
      // A choice the bot's autocomplete offered goes with the name it was picked by, which the "used" line shows.
      const shown = choice && choice === pickedChoice && choice.name !== String(choice.value) ? { shown: choice.name } : {};
      return { name: g.name, value: choice ? String(choice.value) : value, ...shown };
    });
  return {
    ok: true,
    command: {
      name: analysis.command.name,
      ...(analysis.group ? { subcommandGroup: analysis.group.name } : {}),
      ...(analysis.subcommand ? { subcommand: analysis.subcommand.name } : {}),
      options,
    },
    attachmentOptions: analysis.given.filter((g) => g.definition.type === OPTION_TYPES.ATTACHMENT).map((g) => g.name),
  };
}

/**
 * Enter while a command or subcommand name is still being typed (`/lesson tod`): as in Discord, the first
 * suggestion is taken rather than sending something incomplete. The index of that suggestion, or -1 to send.
 * @param {string} text
 * @param {Command[]} commands
 * @param {Map<string, { name: string, value: string | number }>} picked
 * @param {Suggestion[]} items the suggestions shown for `text`
 */
export function completionOnEnter(text, commands, picked, items) {
  const { kind } = analyze(text, commands);
  if (kind !== 'command' && kind !== 'subcommand') return -1;
  if (toCommand(text, commands, picked).ok) return -1;
  return items.findIndex((item) => !item.hint && item.insert !== undefined);
}

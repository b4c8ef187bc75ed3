// The playground page: a small Discord server in the browser, talking to the local Discord through the
// playground's JSON API, with live updates over Server-Sent Events.
import { postJson, UNREACHABLE } from './api.js';
import { channelToShow } from './channels.js';
import { analyze, completionOnEnter, OPTION_TYPES, suggestions, toCommand } from './composer.js';
import { replaceChildren, updateChildren } from './dom.js';
import { formatTime, markdown } from './markdown.js';
import { formatBytes, renderMessage } from './render.js';
import { h } from './vnode.js';

const THREAD_TYPES = new Set([10, 11, 12]);

const state = {
  /** @type {any} */ guild: null,
  /** @type {any} */ bot: null,
  /** @type {any[]} */ people: [],
  /** @type {any[]} */ roles: [],
  /** @type {any[]} */ channels: [],
  /** @type {any[]} */ commands: [],
  connected: false,
  /** @type {Map<string, any>} */ messages: new Map(),
  /** @type {any[]} */ notices: [],
  viewer: 'ana',
  channelId: '',
  /** @type {string | undefined} */ openSelect: undefined,
  /** @type {Map<string, { name: string, value: string | number }>} */ picked: new Map(),
  /** @type {Map<string, File>} */ files: new Map(),
  /** @type {{ items: any[], index: number, analysis: any }} */ suggest: { items: [], index: -1, analysis: null },
  /** @type {{ name: string, value: string | number }[]} */ botChoices: [],
  /** @type {Set<string>} */ unread: new Set(),
  /** @type {string | undefined} */ pendingFileOption: undefined,
  /** Private messages the viewer dismissed (hidden in this page only, as Discord's "Dismiss message"). */
  /** @type {Set<string>} */ dismissed: new Set(),
};

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const box = /** @type {HTMLInputElement} */ ($('box'));
const fileInput = /** @type {HTMLInputElement} */ ($('file'));

// ---- data ------------------------------------------------------------------------------------

const api = (/** @type {string} */ path, /** @type {unknown} */ body) => postJson(path, body);

async function loadState() {
  const snapshot = await (await fetch('/api/state')).json();
  Object.assign(state, {
    guild: snapshot.guild,
    bot: snapshot.bot,
    people: snapshot.people,
    roles: snapshot.roles,
    channels: snapshot.channels,
    commands: snapshot.commands,
    connected: snapshot.connected,
    notices: snapshot.notices,
  });
  state.messages = new Map(snapshot.messages.map((/** @type {any} */ e) => [e.message.id, e]));
  state.channelId = channelToShow(state.channels, state.channelId);
  if ($('composer-error').textContent === UNREACHABLE) showComposerError('');
  renderAll();
}

function listen() {
  const events = new EventSource('/api/events');
  let broken = false;
  events.onopen = () => {
    setStatus(true);
    // After a lost connection (or a first load that failed), the state is fetched again: a restarted
    // playground is a new local Discord.
    if (broken || !state.guild) void loadState().catch(() => setStatus(false));
    broken = false;
  };
  events.onerror = () => {
    broken = true;
    setStatus(false);
  };
  events.onmessage = (event) => {
    const data = JSON.parse(event.data);
    switch (data.type) {
      case 'message': {
        const isNew = !state.messages.has(data.entry.message.id);
        state.messages.set(data.entry.message.id, data.entry);
        const visible = !data.entry.visibleTo || data.entry.visibleTo === viewer()?.id;
        if (isNew && visible && data.entry.message.channel_id !== state.channelId) state.unread.add(data.entry.message.channel_id);
        // The answer to the viewer's own command or click is brought into view, even when they had scrolled up
        // to click a button on an older message.
        const answersViewer = isNew && data.entry.message.interaction_metadata?.user?.id === viewer()?.id && data.entry.message.channel_id === state.channelId;
        renderChannels();
        renderMessages(answersViewer);
        return;
      }
      case 'delete':
        state.messages.delete(data.messageId);
        renderMessages();
        return;
      case 'notice':
        state.notices.push(data.notice);
        renderNotices();
        renderMessages();
        return;
      case 'channels':
        state.channels = data.channels;
        renderChannels();
        return;
      case 'commands':
        state.commands = data.commands;
        state.people = data.people;
        state.connected = data.connected;
        updateSuggestions();
        return;
    }
  };
}

function setStatus(/** @type {boolean} */ live) {
  const status = $('live-status');
  status.textContent = live ? 'live' : 'reconnecting…';
  status.className = `live-status ${live ? 'ok' : 'down'}`;
}

// ---- rendering -------------------------------------------------------------------------------

function viewer() {
  return state.people.find((p) => p.key === state.viewer);
}

function userName(/** @type {string} */ id) {
  const person = state.people.find((p) => p.id === id);
  if (person) return person.globalName;
  if (state.bot && state.bot.id === id) return state.bot.username;
  return undefined;
}

function renderContext() {
  return {
    userName,
    roleName: (/** @type {string} */ id) => state.roles.find((r) => r.id === id)?.name,
    channelName: (/** @type {string} */ id) => state.channels.find((c) => c.id === id)?.name,
    guildId: state.guild?.id,
    viewerId: viewer()?.id,
    openSelect: state.openSelect,
    botName: state.bot?.username,
    threadOf: (/** @type {string} */ messageId) => state.channels.find((c) => c.id === messageId && THREAD_TYPES.has(c.type)),
    selectOptions: (/** @type {number} */ type) => {
      if (type === 5) return state.people.map((p) => ({ label: p.globalName, value: p.id }));
      if (type === 6) return state.roles.map((r) => ({ label: r.name, value: r.id }));
      if (type === 7) return state.people.map((p) => ({ label: p.globalName, value: p.id })).concat(state.roles.map((r) => ({ label: `@${r.name}`, value: r.id })));
      if (type === 8) return state.channels.map((c) => ({ label: `#${c.name}`, value: c.id }));
      return [];
    },
  };
}

function renderAll() {
  $('server-name').textContent = state.guild?.name ?? '';
  renderViewerSwitch();
  renderChannels();
  renderMessages();
  renderNotices();
}

function renderViewerSwitch() {
  replaceChildren(
    $('viewer-switch'),
    state.people.map((p) =>
      h(
        'button',
        { type: 'button', class: `person${p.key === state.viewer ? ' active' : ''}`, 'data-person': p.key, 'aria-pressed': p.key === state.viewer ? 'true' : 'false' },
        h('span', { class: `avatar small ${p.key === 'moderator' ? 'moderator' : ''}` }, p.globalName.slice(0, 1)),
        h('span', { class: 'person-label' }, p.label),
      ),
    ),
  );
}

function renderChannels() {
  const top = state.channels.filter((c) => !THREAD_TYPES.has(c.type));
  replaceChildren($('channels'), [
    h('div', { class: 'channel-group' }, 'TEXT CHANNELS'),
    ...top.flatMap((channel) => [
      channelItem(channel, false),
      ...state.channels.filter((t) => THREAD_TYPES.has(t.type) && t.parentId === channel.id).map((t) => channelItem(t, true)),
    ]),
  ]);
  const current = state.channels.find((c) => c.id === state.channelId);
  $('channel-title').textContent = current ? current.name : '';
  $('channel-icon').textContent = current && THREAD_TYPES.has(current.type) ? '🧵' : '#';
  $('channel-topic').textContent = current?.topic ?? '';
  box.placeholder = current ? `Message ${THREAD_TYPES.has(current.type) ? '' : '#'}${current.name} as ${viewer()?.globalName ?? ''} — type / for commands` : '';
}

function channelItem(/** @type {any} */ channel, /** @type {boolean} */ thread) {
  const active = channel.id === state.channelId;
  return h(
    'button',
    { type: 'button', class: `channel${thread ? ' thread' : ''}${active ? ' active' : ''}${state.unread.has(channel.id) ? ' unread' : ''}`, 'data-channel': channel.id, 'aria-current': active ? 'page' : 'false' },
    h('span', { class: 'channel-hash', 'aria-hidden': 'true' }, thread ? '↳' : '#'),
    h('span', { class: 'channel-name' }, channel.name),
  );
}

function renderMessages(toBottom = false) {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const me = viewer()?.id;
  const ctx = renderContext();
  const entries = [...state.messages.values()]
    .filter((e) => e.message.channel_id === state.channelId && (!e.visibleTo || e.visibleTo === me) && !state.dismissed.has(e.message.id))
    .map((e) => ({ at: e.message.timestamp, node: renderMessage(e, ctx) }));
  const notices = state.notices
    .filter((n) => n.channelId === state.channelId && (!n.userId || n.userId === me))
    .map((n) => ({ at: n.at, node: h('div', { class: `system-notice ${n.kind}`, role: 'status' }, h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '⚠'), n.text) }));
  const all = [...entries, ...notices].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  // A thread opens with the message it was started from (Discord gives the thread that message's id).
  const current = state.channels.find((c) => c.id === state.channelId);
  const starter = current && THREAD_TYPES.has(current.type) ? state.messages.get(current.id) : undefined;
  const top = starter
    ? [
        renderMessage(starter, { ...ctx, threadOf: () => undefined }),
        h('div', { class: 'thread-start' }, all.length === 0 ? 'The thread starts from this message. No replies yet.' : 'The thread starts from this message.'),
      ]
    : [];
  const focus = focusPlace(list);
  if (all.length === 0 && !starter) {
    updateChildren(list, [h('div', { class: 'empty' }, h('h2', null, 'Nothing here yet'), h('p', null, 'Type / in the box below to see the bot’s commands, e.g. /lesson today.'))]);
  } else {
    updateChildren(list, [...top, ...all.map((a) => a.node)]);
  }
  restoreFocus(list, focus);
  if (atBottom || toBottom) list.scrollTop = list.scrollHeight;
}

const FOCUSABLE = 'button, a[href], input, select, textarea, [tabindex]';

/**
 * Where the focus is among the messages (a keyboard user's, on a button they pressed): its message and its place
 * there. A changed message's elements are made anew (updateChildren keeps only unchanged ones), and the focus on one
 * would fall to the page's start.
 */
function focusPlace(/** @type {HTMLElement} */ list) {
  const active = document.activeElement;
  const message = active && list.contains(active) ? active.closest('.message[data-message-id]') : null;
  if (!active || !message) return undefined;
  return { messageId: message.getAttribute('data-message-id'), index: [...message.querySelectorAll(FOCUSABLE)].indexOf(active) };
}

/** Puts the focus back on the same place of the same message (the nearest control that can take it: `Next` on the last page is disabled). */
function restoreFocus(/** @type {HTMLElement} */ list, /** @type {{ messageId: string | null, index: number } | undefined} */ place) {
  if (!place) return;
  const message = [...list.querySelectorAll('.message[data-message-id]')].find((m) => m.getAttribute('data-message-id') === place.messageId);
  if (!message) return;
  const controls = /** @type {HTMLElement[]} */ ([...message.querySelectorAll(FOCUSABLE)]);
  const usable = (/** @type {HTMLElement | undefined} */ c) => c !== undefined && !c.hasAttribute('disabled');
  const at = Math.min(Math.max(place.index, 0), controls.length - 1);
  for (let distance = 0; distance < controls.length; distance += 1) {
    const candidate = [controls[at - distance], controls[at + distance]].find(usable);
    if (candidate) {
      candidate.focus({ preventScroll: true });
      return;
    }
  }
}

function renderNotices() {
  replaceChildren(
    $('notices'),
    state.notices.length === 0
      ? [h('li', { class: 'quiet' }, 'No errors. Requests the local Discord refuses (a broken limit, a bad request) and silent interactions show here.')]
      : [...state.notices].reverse().map((n) => h('li', { class: `notice ${n.kind}` }, h('time', null, formatTime(new Date(n.at), 'T')), ' ', n.text)),
  );
  $('notice-count').textContent = state.notices.length > 0 ? String(state.notices.length) : '';
}

// ---- message box -----------------------------------------------------------------------------

let autocompleteTimer = 0;

/** The commands the acting person's Discord client lists (it hides those needing permissions they lack). */
function visibleCommands() {
  const allowed = viewer()?.commands;
  return allowed ? state.commands.filter((c) => allowed.includes(c.name)) : state.commands;
}

function updateSuggestions() {
  const analysis = analyze(box.value, visibleCommands());
  state.suggest.analysis = analysis;
  const context = {
    commands: visibleCommands(),
    channels: state.channels,
    users: state.people.map((p) => ({ username: p.username, globalName: p.globalName })),
    roles: state.roles,
    botChoices: state.botChoices,
  };
  const items = suggestions(analysis, context);
  state.suggest.items = items;
  if (state.suggest.index >= items.length) state.suggest.index = items.length - 1;
  renderSuggestions(analysis);
  if (analysis.kind === 'option-value' && analysis.option?.autocomplete) scheduleAutocomplete();
}

function renderSuggestions(/** @type {any} */ analysis) {
  const panel = $('suggestions');
  const { items, index } = state.suggest;
  // The box is a combobox: a screen reader follows the suggestion the arrows select, while the focus stays in the box.
  box.setAttribute('aria-expanded', String(items.length > 0 || Boolean(analysis.error)));
  if (index >= 0 && index < items.length) box.setAttribute('aria-activedescendant', `suggestion-${index}`);
  else box.removeAttribute('aria-activedescendant');
  if (items.length === 0 && !analysis.error) {
    panel.hidden = true;
    replaceChildren(panel, []);
    return;
  }
  panel.hidden = false;
  const heading =
    analysis.kind === 'command'
      ? 'Commands'
      : analysis.kind === 'subcommand'
        ? `/${analysis.command?.name}`
        : analysis.kind === 'option-name'
          ? 'Options'
          : analysis.option
            ? `${analysis.option.name}${analysis.option.autocomplete ? ' · answers from the bot' : ''}`
            : '';
  replaceChildren(panel, [
    h('div', { class: 'suggestions-heading' }, analysis.error ?? heading),
    ...items.map((item, i) =>
      h(
        'div',
        { class: `suggestion${i === index ? ' selected' : ''}${item.hint ? ' hint' : ''}`, id: `suggestion-${i}`, role: 'option', 'data-suggestion': String(i), 'aria-selected': i === index ? 'true' : 'false' },
        h('span', { class: 'suggestion-label' }, item.label),
        item.detail ? h('span', { class: 'suggestion-detail' }, item.detail) : null,
      ),
    ),
  ]);
}

function scheduleAutocomplete() {
  clearTimeout(autocompleteTimer);
  const text = box.value;
  autocompleteTimer = window.setTimeout(async () => {
    const analysis = analyze(text, state.commands);
    if (analysis.kind !== 'option-value' || !analysis.option?.autocomplete || !analysis.command) return;
    const command = {
      name: analysis.command.name,
      subcommandGroup: analysis.group?.name,
      subcommand: analysis.subcommand?.name,
      options: analysis.given
        .filter((/** @type {any} */ g) => g.definition.type !== OPTION_TYPES.ATTACHMENT)
        .map((/** @type {any} */ g) => ({ name: g.name, value: g.name === analysis.option.name ? g.value.trimStart() : pickedValue(g.name, g.value.trim()) })),
      focused: analysis.option.name,
    };
    const result = await api('/api/autocomplete', { person: state.viewer, channelId: state.channelId, command });
    if (box.value !== text) return;
    state.botChoices = result.ok ? result.choices : [];
    const items = suggestions(analysis, { commands: state.commands, botChoices: state.botChoices });
    state.suggest.items = result.ok ? items : [];
    state.suggest.index = -1;
    renderSuggestions(result.ok ? analysis : { ...analysis, error: result.error });
  }, 150);
}

function pickedValue(/** @type {string} */ name, /** @type {string} */ value) {
  const choice = state.picked.get(name);
  return choice && choice.name === value ? String(choice.value) : value;
}

function applySuggestion(/** @type {number} */ index) {
  const item = state.suggest.items[index];
  const analysis = state.suggest.analysis;
  if (!item || item.hint) return false;
  if (item.insert !== undefined) {
    box.value = box.value.slice(0, analysis.replaceFrom) + item.insert;
    if (item.choice && analysis.option) state.picked.set(analysis.option.name, { name: item.choice.name, value: item.choice.value });
  }
  if (item.pickFile) {
    state.pendingFileOption = item.pickFile;
    fileInput.click();
  }
  state.suggest.index = -1;
  state.botChoices = [];
  box.focus();
  updateSuggestions();
  return true;
}

async function submit() {
  const parsed = toCommand(box.value, state.commands, state.picked);
  if (!parsed.ok) return showComposerError(parsed.error);
  /** @type {any[]} */
  const attachments = [];
  for (const name of parsed.attachmentOptions) {
    const file = state.files.get(name);
    if (!file) return showComposerError(`Choose a file for ${name}: (click “${name}:” or the + button).`);
    attachments.push({ optionName: name, filename: file.name, contentType: file.type || 'application/octet-stream', data: await fileToBase64(file) });
  }
  const result = await api('/api/command', { person: state.viewer, channelId: state.channelId, command: parsed.command, attachments });
  if (!result.ok) return showComposerError(result.error);
  box.value = '';
  state.picked.clear();
  state.files.clear();
  renderFiles();
  showComposerError('');
  updateSuggestions();
}

function showComposerError(/** @type {string} */ message) {
  const error = $('composer-error');
  error.textContent = message;
  error.hidden = message === '';
}

function fileToBase64(/** @type {File} */ file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/u, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function renderFiles() {
  replaceChildren(
    $('files'),
    [...state.files.entries()].map(([name, file]) => h('span', { class: 'file-chip' }, `📎 ${name}: ${file.name} (${formatBytes(file.size)})`)),
  );
}

// ---- events ----------------------------------------------------------------------------------

box.addEventListener('input', () => {
  state.suggest.index = -1;
  state.botChoices = [];
  updateSuggestions();
});

box.addEventListener('keydown', (event) => {
  // A key that an input method (Japanese, Chinese, Korean…) is composing with is its own: the Enter that converts
  // the reading, arrows through its candidates. Chrome reports it as keyCode 229; Discord sends nothing on it either.
  if (event.isComposing || event.keyCode === 229) return;
  const { items } = state.suggest;
  if (event.key === 'ArrowDown' && items.length > 0) {
    event.preventDefault();
    state.suggest.index = (state.suggest.index + 1) % items.length;
    renderSuggestions(state.suggest.analysis);
  } else if (event.key === 'ArrowUp' && items.length > 0) {
    event.preventDefault();
    state.suggest.index = (state.suggest.index - 1 + items.length) % items.length;
    renderSuggestions(state.suggest.analysis);
  } else if (event.key === 'Tab' && items.length > 0) {
    event.preventDefault();
    applySuggestion(Math.max(0, state.suggest.index));
  } else if (event.key === 'Enter') {
    event.preventDefault();
    if (state.suggest.index >= 0 && applySuggestion(state.suggest.index)) return;
    // As in Discord, Enter on a command or subcommand being typed picks the first suggestion.
    const completion = completionOnEnter(box.value, visibleCommands(), state.picked, state.suggest.items);
    if (completion >= 0 && applySuggestion(completion)) return;
    void submit();
  } else if (event.key === 'Escape') {
    state.suggest.items = [];
    $('suggestions').hidden = true;
    box.setAttribute('aria-expanded', 'false');
    box.removeAttribute('aria-activedescendant');
  }
});

$('suggestions').addEventListener('mousedown', (event) => {
  const target = /** @type {HTMLElement} */ (event.target).closest('[data-suggestion]');
  if (!target) return;
  event.preventDefault();
  applySuggestion(Number(target.getAttribute('data-suggestion')));
});

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  const option = state.pendingFileOption ?? attachmentOptionOfBox();
  if (file && option) {
    state.files.set(option, file);
    const analysis = analyze(box.value, state.commands);
    const given = analysis.given.find((/** @type {any} */ g) => g.name === option);
    box.value = given ? box.value.slice(0, given.start) + file.name + ' ' : `${box.value.trimEnd()} ${option}:${file.name} `;
    renderFiles();
    updateSuggestions();
  }
  fileInput.value = '';
  state.pendingFileOption = undefined;
  box.focus();
});

function attachmentOptionOfBox() {
  const analysis = analyze(box.value, state.commands);
  return analysis.leafOptions.find((/** @type {any} */ o) => o.type === OPTION_TYPES.ATTACHMENT)?.name;
}

$('attach').addEventListener('click', () => {
  const option = attachmentOptionOfBox();
  if (!option) return showComposerError('Files go with a command that takes one: type /lesson import first.');
  state.pendingFileOption = option;
  fileInput.click();
});

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  void submit();
});

$('viewer-switch').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('[data-person]');
  if (!button) return;
  setViewer(button.getAttribute('data-person') ?? 'ana');
});

function setViewer(/** @type {string} */ key) {
  state.viewer = key;
  state.openSelect = undefined;
  renderViewerSwitch();
  renderChannels();
  renderMessages();
  if (box.value) updateSuggestions();
}

$('channels').addEventListener('click', (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('[data-channel]');
  if (button) openChannel(button.getAttribute('data-channel') ?? '');
});

function openChannel(/** @type {string} */ channelId, /** @type {string} */ messageId = '') {
  if (!state.channels.some((c) => c.id === channelId)) return;
  state.channelId = channelId;
  state.unread.delete(channelId);
  state.openSelect = undefined;
  renderChannels();
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
  renderMessages();
  list.scrollTop = list.scrollHeight;
  // Messages unchanged keep their elements (updateChildren): only the message jumped to last stays highlighted.
  for (const highlighted of list.querySelectorAll('.message.highlight')) highlighted.classList.remove('highlight');
  if (messageId) {
    const target = list.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
    target?.scrollIntoView({ block: 'center' });
    target?.classList.add('highlight');
  }
}

/**
 * A click on a link the bot wrote: a message or channel link opens it here, a command mention fills the message box.
 * Wherever the bot's text is drawn (the messages, its answer beside the Time controls). True when it was one.
 */
function followBotLink(/** @type {MouseEvent} */ event) {
  const target = /** @type {HTMLElement} */ (event.target);
  const jump = target.closest('[data-jump-channel]');
  if (jump) {
    event.preventDefault();
    openChannel(jump.getAttribute('data-jump-channel') ?? '', jump.getAttribute('data-jump-message') ?? '');
    return true;
  }
  const command = target.closest('[data-fill-command]');
  if (command) {
    event.preventDefault();
    box.value = command.getAttribute('data-fill-command') ?? '';
    state.picked.clear();
    box.focus();
    updateSuggestions();
    return true;
  }
  return false;
}

$('time-status').addEventListener('click', (event) => void followBotLink(event));

$('messages').addEventListener('click', (event) => {
  if (followBotLink(event)) return;
  const target = /** @type {HTMLElement} */ (event.target);
  const spoiler = target.closest('.md-spoiler');
  if (spoiler) spoiler.classList.add('revealed');
  const action = target.closest('[data-action]');
  if (!action || action.hasAttribute('disabled')) return;
  switch (action.getAttribute('data-action')) {
    case 'dismiss':
      state.dismissed.add(action.getAttribute('data-message-id') ?? '');
      renderMessages();
      return;
    case 'component':
      void click(action, []);
      return;
    case 'toggle-select': {
      const key = action.getAttribute('data-select-key') ?? '';
      state.openSelect = state.openSelect === key ? undefined : key;
      renderMessages();
      return;
    }
    case 'select-many': {
      const key = action.getAttribute('data-select-key') ?? '';
      const inputs = [...$('messages').querySelectorAll(`input[name="${CSS.escape(key)}"]:checked`)].map((i) => /** @type {HTMLInputElement} */ (i).value);
      const min = Number(action.getAttribute('data-min'));
      const max = Number(action.getAttribute('data-max'));
      if (inputs.length < min || inputs.length > max) return showComposerError(`Choose between ${min} and ${max} options.`);
      state.openSelect = undefined;
      void click(action, inputs);
      return;
    }
  }
});

$('messages').addEventListener('change', (event) => {
  const input = /** @type {HTMLInputElement} */ (event.target);
  if (input.getAttribute('data-action') !== 'select-one') return;
  state.openSelect = undefined;
  void click(input, [input.value]);
});

async function click(/** @type {Element} */ element, /** @type {string[]} */ values) {
  const messageId = element.getAttribute('data-message-id') ?? '';
  // The message's own channel: a thread shows the message it was started from, which lives in the parent channel.
  const channelId = state.messages.get(messageId)?.message.channel_id ?? state.channelId;
  const result = await api('/api/component', {
    person: state.viewer,
    channelId,
    messageId,
    customId: element.getAttribute('data-custom-id'),
    componentType: Number(element.getAttribute('data-component-type')),
    values,
  });
  if (!result.ok) showComposerError(result.error);
  // The bot answers where the message is: from a thread's starter message, that is the parent channel.
  else if (channelId !== state.channelId) openChannel(channelId);
  else renderMessages();
}

$('post-now').addEventListener('click', async () => {
  timeStatus('Mina (moderator) runs /schedule post-now in #lessons …', true);
  showModeratorIn('lessons');
  const result = await api('/api/post-now', {});
  if (!result.ok) return timeStatus(result.error, false);
  timeStatus('Mina (moderator) ran /schedule post-now in #lessons.', true, result.answer);
});

$('schedule-soon').addEventListener('click', async () => {
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  timeStatus('Mina (moderator) runs /schedule set in #lessons …', true);
  showModeratorIn('lessons');
  const result = await api('/api/schedule-next-minute', { timeZone });
  if (!result.ok) return timeStatus(result.error, false);
  timeStatus(`Mina (moderator) set the daily post for ${result.time} (${timeZone}) in #lessons.`, true, result.answer);
});

/** The time controls act as the moderator in #lessons: show what she sees there. */
function showModeratorIn(/** @type {string} */ channelName) {
  setViewer('moderator');
  const channel = state.channels.find((c) => c.name === channelName && !THREAD_TYPES.has(c.type));
  if (channel && channel.id !== state.channelId) openChannel(channel.id);
}

/** What a time control did, and the bot's own (private) answer to Mina, as the bot wrote it. */
function timeStatus(/** @type {string} */ text, /** @type {boolean} */ ok, /** @type {string | undefined} */ answer = undefined) {
  const status = $('time-status');
  replaceChildren(status, [
    text,
    answer ? h('span', { class: 'time-answer' }, h('span', { class: 'time-answer-label' }, 'The bot answered: '), markdown(answer, renderContext())) : '',
  ]);
  status.className = ok ? 'time-status ok' : 'time-status error';
}

setInterval(() => {
  $('clock').textContent = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' }).format(new Date());
  // Relative times (`in 2 minutes`) stay current, as in Discord.
  for (const time of document.querySelectorAll('time[data-relative]')) {
    time.textContent = formatTime(new Date(Number(time.getAttribute('data-relative'))), 'R');
  }
}, 1000);

document.addEventListener('click', (event) => {
  if (state.openSelect && !/** @type {HTMLElement} */ (event.target).closest('.select')) {
    state.openSelect = undefined;
    renderMessages();
  }
});

void loadState()
  .catch(() => {
    setStatus(false);
    showComposerError(UNREACHABLE);
  })
  .finally(listen);

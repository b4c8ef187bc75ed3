import type { APIMessage } from 'discord.js';
import type { LocalDiscordEvent, RecordedRequest } from '../local-discord/index.js';

const EPHEMERAL = 1 << 6;
const MAX_MESSAGES_PER_CHANNEL = 300;
const MAX_NOTICES = 200;
const MAX_INTERACTIONS = 2000;

/** A message as the page shows it: who may see it, and which command made it. */
export interface TimelineMessage {
  message: APIMessage;
  /** Set for ephemeral messages: only this user sees them ("Only you can see this"). */
  visibleTo?: string;
  /** For replies to a slash command: who ran what (Discord shows "Ana used /lesson today"). */
  invokedBy?: { userId: string; command: string };
}

/** Something the page shows beside the messages: a request the local Discord refused, or a silent bot. */
export interface Notice {
  id: number;
  at: string;
  kind: 'discord-error' | 'no-response' | 'bot-exit';
  text: string;
  channelId?: string;
  userId?: string;
}

export type TimelineEvent =
  | { type: 'message'; entry: TimelineMessage }
  | { type: 'delete'; channelId: string; messageId: string }
  | { type: 'notice'; notice: Notice }
  | { type: 'channels' }
  | { type: 'commands' };

/** What the page needs to draw: every channel's messages (ephemeral ones too, tagged), and the notices. */
export class Timeline {
  private readonly channels = new Map<string, Map<string, TimelineMessage>>();
  private readonly interactions = new Map<string, { userId: string; command: string }>();
  /** Where each interaction happened, by id and by token: a refused reply is shown there, to whoever asked. */
  private readonly places = new Map<string, { channelId: string; userId: string }>();
  private readonly noticeList: Notice[] = [];
  private readonly listeners = new Set<(event: TimelineEvent) => void>();
  private nextNoticeId = 1;

  /** Feed of the local Discord's changes (pass to `observe`). */
  readonly observe = (event: LocalDiscordEvent): void => {
    switch (event.type) {
      case 'message':
        if (event.action === 'delete') this.remove(event.channelId, event.messageId);
        else this.upsert(event.message);
        return;
      case 'channels':
        this.emit({ type: 'channels' });
        return;
      case 'request':
        this.onRequest(event.request);
        return;
    }
  };

  subscribe(listener: (event: TimelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Remembers the command an interaction ran, to label the bot's reply as Discord does. */
  rememberInteraction(interactionId: string, userId: string, command: string): void {
    this.interactions.set(interactionId, { userId, command });
    trim(this.interactions);
  }

  /** Remembers where an interaction happened (its id and token appear in the bot's reply requests). */
  rememberPlace(interaction: { id: string; token: string }, place: { channelId: string; userId: string }): void {
    this.places.set(interaction.id, place);
    this.places.set(interaction.token, place);
    trim(this.places);
  }

  addNotice(notice: Omit<Notice, 'id' | 'at'>): Notice {
    const full: Notice = { ...notice, id: this.nextNoticeId++, at: new Date().toISOString() };
    this.noticeList.push(full);
    if (this.noticeList.length > MAX_NOTICES) this.noticeList.shift();
    this.emit({ type: 'notice', notice: full });
    return full;
  }

  messages(): TimelineMessage[] {
    return [...this.channels.values()].flatMap((list) => [...list.values()]);
  }

  notices(): Notice[] {
    return [...this.noticeList];
  }

  private upsert(message: APIMessage): void {
    let list = this.channels.get(message.channel_id);
    if (!list) {
      list = new Map();
      this.channels.set(message.channel_id, list);
    }
    const metadata = message.interaction_metadata;
    const ephemeral = ((message.flags ?? 0) & EPHEMERAL) !== 0;
    const invokedBy = metadata ? this.interactions.get(metadata.id) : undefined;
    const entry: TimelineMessage = {
      message: structuredClone(message),
      ...(ephemeral && metadata?.user ? { visibleTo: metadata.user.id } : {}),
      ...(invokedBy && message.type === 20 ? { invokedBy } : {}),
    };
    list.set(message.id, entry);
    if (list.size > MAX_MESSAGES_PER_CHANNEL) {
      const oldest = list.keys().next().value;
      if (oldest !== undefined) list.delete(oldest);
    }
    this.emit({ type: 'message', entry });
  }

  private remove(channelId: string, messageId: string): void {
    if (this.channels.get(channelId)?.delete(messageId)) this.emit({ type: 'delete', channelId, messageId });
  }

  private onRequest(request: RecordedRequest): void {
    if (request.route?.includes('/commands') && request.method !== 'GET' && request.status < 300) this.emit({ type: 'commands' });
    if (request.status < 400) return;
    const reply = /^\/(?:interactions\/(\d+)|webhooks\/\d+\/([^/]+))/u.exec(request.path);
    const place = reply ? this.places.get(reply[1] ?? reply[2] ?? '') : undefined;
    this.addNotice({ kind: 'discord-error', text: describeRefusal(request), ...(place ?? channelOf(request)) });
  }

  private emit(event: TimelineEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

/** "POST /channels/:channelId/messages → 400 Invalid Form Body (50035): embeds.0.description: Must be 4096 or fewer in length." */
export function describeRefusal(request: Pick<RecordedRequest, 'method' | 'path' | 'route' | 'status' | 'error'>): string {
  const error = isRecord(request.error) ? request.error : {};
  const message = typeof error.message === 'string' ? error.message : 'error';
  const code = typeof error.code === 'number' ? ` (${error.code})` : '';
  const details = flattenFormErrors(error.errors);
  const where = `${request.method} ${request.route ?? request.path}`;
  return `Discord refused ${where} → ${request.status} ${message}${code}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
}

/** Discord's nested `errors` tree as `path: message` lines. */
export function flattenFormErrors(tree: unknown, path: string[] = []): string[] {
  if (!isRecord(tree)) return [];
  const lines: string[] = [];
  for (const [key, value] of Object.entries(tree)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const item of value) {
        if (isRecord(item)) lines.push(`${path.join('.') || '(body)'}: ${String(item.message)}`);
      }
    } else {
      lines.push(...flattenFormErrors(value, [...path, key]));
    }
  }
  return lines;
}

function trim(map: Map<string, unknown>): void {
  while (map.size > MAX_INTERACTIONS) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) return;
    map.delete(oldest);
  }
}

function channelOf(request: Pick<RecordedRequest, 'path'>): { channelId?: string } {
  const match = /^\/channels\/(\d+)/u.exec(request.path);
  return match?.[1] ? { channelId: match[1] } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

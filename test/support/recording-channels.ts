import type { MessageCreateOptions } from 'discord.js';
import { ChannelGone, type Channels, type PostChannel } from '../../src/discord/channels.js';

export interface RecordedSend {
  readonly channelId: string;
  readonly messageId: string;
  readonly options: MessageCreateOptions;
}

/**
 * A channel double for delivery's service tests: it records every message sent and thread opened, and
 * can be told that a channel is gone, lacks a permission, or refuses threads.
 */
export class RecordingChannels implements Channels {
  readonly sent: RecordedSend[] = [];
  readonly threads: { messageId: string; name: string }[] = [];
  /** Sends and publications in the order they happened: `sent <message id>`, `published <message id>`. */
  readonly events: string[] = [];
  /** How long each send takes (0: at once). */
  sendDelayMs = 0;
  private readonly announcements = new Set<string>();
  private readonly broken = new Map<string, Error>();
  private readonly failing = new Map<string, Error>();
  private readonly noThreads = new Map<string, Error>();
  private readonly silent = new Set<string>();
  private readonly held = new Map<string, Promise<void>>();
  private nextId = 1000;

  /** Posting in this channel fails with this error (default: the channel is gone). */
  breakChannel(channelId: string, error: Error = new ChannelGone()): void {
    this.broken.set(channelId, error);
  }

  /** Sends in this channel fail with this error, after the channel was found postable (the request itself failed). */
  failSends(channelId: string, error: Error): void {
    this.failing.set(channelId, error);
  }

  /** Posting in this channel works again. */
  mendChannel(channelId: string): void {
    this.broken.delete(channelId);
    this.failing.delete(channelId);
  }

  /** Sends here "succeed" with no message in the answer (as an empty 200 from a broken proxy would). */
  answerWithoutMessage(channelId: string): void {
    this.silent.add(channelId);
  }

  /** Sends in this channel wait (as a request that hangs does) until the function returned is called. */
  holdChannel(channelId: string): () => void {
    let release!: () => void;
    this.held.set(channelId, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(channelId);
      release();
    };
  }

  /** This channel is an announcement channel: its messages can be published (crossposted) once. */
  makeAnnouncementChannel(channelId: string): void {
    this.announcements.add(channelId);
  }

  /** Opening a thread here fails with this error (default: a missing permission). */
  refuseThreads(channelId: string, error: Error = new Error('Missing Permissions')): void {
    this.noThreads.set(channelId, error);
  }

  sentTo(channelId: string): RecordedSend[] {
    return this.sent.filter((send) => send.channelId === channelId);
  }

  async postable(channelId: string): Promise<PostChannel> {
    const error = this.broken.get(channelId);
    if (error) throw error;
    const { announcements } = this;
    return {
      id: channelId,
      send: async (options) => {
        // A send that takes a while, as one waiting in Discord's rate-limit queue does.
        if (this.sendDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.sendDelayMs));
        await this.held.get(channelId);
        const failure = this.failing.get(channelId);
        if (failure) throw failure;
        const messageId = String(this.nextId++);
        this.sent.push({ channelId, messageId, options });
        this.events.push(`sent ${messageId}`);
        let published = false;
        return {
          id: this.silent.has(channelId) ? (undefined as unknown as string) : messageId,
          get crosspostable() {
            return !published && announcements.has(channelId);
          },
          crosspost: async () => {
            if (published || !announcements.has(channelId)) throw new Error('Cannot execute action on this channel type');
            published = true;
            this.events.push(`published ${messageId}`);
          },
          startThread: async ({ name }) => {
            const refused = this.noThreads.get(channelId);
            if (refused) throw refused;
            this.threads.push({ messageId, name });
            return { id: `thread-${messageId}` };
          },
        };
      },
    };
  }
}

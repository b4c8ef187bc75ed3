import type { APIMessage } from 'discord.js';
import type { RecordedRequest } from './rest-routes.js';

/** What an observer (the playground's page) hears: every message change, ephemeral ones too, and every request. */
export type LocalDiscordEvent =
  | { type: 'message'; action: 'create' | 'update'; message: APIMessage }
  | { type: 'message'; action: 'delete'; channelId: string; messageId: string }
  | { type: 'channels'; guildId: string }
  | { type: 'request'; request: RecordedRequest };

export type LocalDiscordListener = (event: LocalDiscordEvent) => void;

/** Fans events out to observers; a failing observer never breaks the Discord it observes. */
export class EventHub {
  private readonly listeners = new Set<LocalDiscordListener>();

  on(listener: LocalDiscordListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LocalDiscordEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('local discord: an observer failed', error);
      }
    }
  }
}

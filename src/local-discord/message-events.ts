import { GatewayIntentBits, type APIMessage } from 'discord.js';
import type { Gateway } from './gateway.js';
import type { StandInState } from './state.js';

const EPHEMERAL = 1 << 6;

/**
 * Gateway dispatches for message changes (only sessions with the Guild Messages intent get them; ephemeral
 * messages are never dispatched), and the same changes, ephemeral ones included, for the state's observers.
 */
export class MessageEvents {
  constructor(
    private readonly gateway: Gateway,
    private readonly state: StandInState,
  ) {}

  created(message: APIMessage): void {
    this.state.events.emit({ type: 'message', action: 'create', message });
    this.send('MESSAGE_CREATE', message);
  }

  updated(message: APIMessage): void {
    this.state.events.emit({ type: 'message', action: 'update', message });
    this.send('MESSAGE_UPDATE', message);
  }

  deleted(channelId: string, messageId: string, options: { ephemeral?: boolean } = {}): void {
    this.state.events.emit({ type: 'message', action: 'delete', channelId, messageId });
    if (options.ephemeral) return;
    const guildId = this.state.findChannel(channelId)?.guild.id;
    if (!guildId) return;
    this.gateway.dispatch(
      'MESSAGE_DELETE',
      { id: messageId, channel_id: channelId, guild_id: guildId },
      { guildId, intent: GatewayIntentBits.GuildMessages },
    );
  }

  private send(event: string, message: APIMessage): void {
    if (((message.flags ?? 0) & EPHEMERAL) !== 0) return;
    const found = this.state.findChannel(message.channel_id);
    if (!found) return;
    const member = found.guild.members.get(message.author.id);
    const { user: _user, ...partialMember } = member ?? { user: undefined };
    this.gateway.dispatch(
      event,
      { ...message, guild_id: found.guild.id, ...(member && !message.webhook_id ? { member: partialMember } : {}) },
      { guildId: found.guild.id, intent: GatewayIntentBits.GuildMessages },
    );
  }
}

import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type MessageCreateOptions,
} from 'discord.js';

export type RepliableInteraction = ChatInputCommandInteraction | ButtonInteraction;

/** Nobody is ever pinged by what the bot sends: lesson text may contain @everyone, @here or role mentions. */
export const NO_MENTIONS = { parse: [] as never[] };

/** The one flag that makes an answer private to the member (Discord's 1 << 6). */
export const EPHEMERAL: MessageFlags.Ephemeral = MessageFlags.Ephemeral;

export interface ReplyPayload {
  content?: string;
  embeds?: InteractionReplyOptions['embeds'];
  components?: InteractionReplyOptions['components'];
  /** Attachments (an export file); discord.js uploads them as multipart. */
  files?: InteractionReplyOptions['files'];
}

/** Under Discord's 3-second deadline with room for the round trip. */
export const AUTO_DEFER_MS = 1_500;

/**
 * The one way handlers answer an interaction. It defers by itself when the answer is slow (a busy
 * database), so the 3-second deadline is met without paying an extra request on every fast answer.
 * `mode: 'update'` edits the message a button sits on (paging) instead of sending a new one.
 */
export class Reply {
  /** Set by the handler before its first await: whether the answer is private (default) or public. */
  ephemeral = true;
  mode: 'reply' | 'update' = 'reply';
  private timer: NodeJS.Timeout | undefined;
  private pendingDefer: Promise<void> | undefined;

  constructor(readonly interaction: RepliableInteraction) {}

  deferSoon(ms = AUTO_DEFER_MS): void {
    this.timer = setTimeout(() => {
      this.pendingDefer = this.deferNow().catch(() => undefined);
    }, ms);
    this.timer.unref();
  }

  /** Defers now, unless already answered; an automatic deferral in flight is waited for, never sent twice. */
  async defer(): Promise<void> {
    await this.settle();
    await this.deferNow();
  }

  private async deferNow(): Promise<void> {
    clearTimeout(this.timer);
    const { interaction } = this;
    if (interaction.deferred || interaction.replied) return;
    if (this.mode === 'update' && interaction.isButton()) await interaction.deferUpdate();
    else await interaction.deferReply(this.ephemeral ? { flags: EPHEMERAL } : {});
  }

  async send(payload: ReplyPayload): Promise<void> {
    await this.settle();
    const { interaction } = this;
    // An update replaces the message its button sits on, and Discord keeps whatever an edit leaves out: a page
    // that is only a line ("all caught up") would stay above the old list's embed and buttons.
    const replaced = this.mode === 'update' && interaction.isButton() ? { content: '', embeds: [], components: [] } : {};
    const body = { ...replaced, ...payload, allowedMentions: NO_MENTIONS };
    if (interaction.deferred && !interaction.replied) {
      await interaction.editReply(body);
    } else if (interaction.replied) {
      await interaction.followUp({ ...body, ...this.flags() });
    } else if (this.mode === 'update' && interaction.isButton()) {
      await interaction.update(body);
    } else {
      await interaction.reply({ ...body, ...this.flags() });
    }
  }

  /** A short private message about a problem; a public deferral is removed rather than shown as an error. */
  async fail(content: string): Promise<void> {
    await this.settle();
    const { interaction } = this;
    const body = { content, allowedMentions: NO_MENTIONS, flags: EPHEMERAL };
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply(body);
      return;
    }
    const deferredPrivately = interaction.deferred && !interaction.replied && this.mode === 'reply' && interaction.ephemeral;
    if (deferredPrivately) {
      await interaction.editReply({ content, embeds: [], components: [], allowedMentions: NO_MENTIONS });
      return;
    }
    if (interaction.deferred && !interaction.replied && this.mode === 'reply') {
      await interaction.deleteReply().catch(() => undefined);
    }
    await interaction.followUp(body);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private async settle(): Promise<void> {
    clearTimeout(this.timer);
    await this.pendingDefer;
  }

  private flags(): { flags?: typeof EPHEMERAL } {
    return this.ephemeral ? { flags: EPHEMERAL } : {};
  }
}

/** Options for a message the bot posts in a channel: never pings, and deduplicated by nonce when given one. */
export function channelMessage(payload: ReplyPayload & { nonce?: string }): MessageCreateOptions {
  const { nonce, ...rest } = payload;
  return {
    ...(rest as MessageCreateOptions),
    ...(nonce ? { nonce, enforceNonce: true } : {}),
    allowedMentions: NO_MENTIONS,
  };
}

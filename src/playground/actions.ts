import { ComponentType, type APIApplicationCommand } from 'discord.js';
import type { AttachmentInit, DiscordStandIn, InteractionHandle, StandInGuild } from '../local-discord/index.js';
import { resolveCommandInput, type Directory, type PageCommandInput } from './command-input.js';
import type { Timeline } from './timeline.js';
import { PEOPLE, PLAYGROUND_IDS, person, type PlaygroundPerson } from './world.js';

/** Discord gives a bot 3 s to answer; a little slack for a busy machine before the page says it did not. */
const RESPONSE_DEADLINE_MS = 3_500;
/** How long a time control waits for the bot's final answer (post-now defers, then posts) to show it beside the control. */
const ANSWER_WAIT_MS = 20_000;
const ADMINISTRATOR = 1n << 3n;
const COMPONENT_TYPES = new Set<number>([
  ComponentType.Button,
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);

export interface PageAttachment {
  optionName: string;
  filename: string;
  contentType: string;
  /** The file's bytes, base64. */
  data: string;
}

export type ActionResult<T = { interactionId: string }> = ({ ok: true } & T) | { ok: false; error: string };

/** What the page can do: run commands, ask for autocomplete, click components, and the time controls. */
export class PlaygroundActions {
  constructor(
    private readonly discord: DiscordStandIn,
    private readonly guild: StandInGuild,
    private readonly timeline: Timeline,
  ) {}

  /** The commands the bot registered (this server's, then global ones it does not shadow). */
  commands(): APIApplicationCommand[] {
    const local = this.discord.commands(this.guild.id);
    return [...local, ...this.discord.commands().filter((g) => !local.some((c) => c.name === g.name))];
  }

  directory(attachmentOptions: readonly string[] = []): Directory {
    const users = [...PEOPLE.map((p) => ({ id: p.user.id, username: p.user.username, global_name: p.user.globalName })), this.discord.botUser];
    return {
      channels: this.discord.channels(this.guild.id),
      roles: this.discord.guild(this.guild.id).roles,
      users: users.map((u) => ({ id: u.id, username: u.username, global_name: u.global_name })),
      attachmentOptions,
    };
  }

  /** A person's server-wide permissions: @everyone's and their roles' (what Discord's client checks to show a command). */
  permissionsOf(who: PlaygroundPerson): bigint {
    const roles = this.discord.guild(this.guild.id).roles;
    const held = new Set([this.guild.id, ...(who.member.roles ?? [])]);
    return roles.filter((r) => held.has(r.id)).reduce((bits, r) => bits | BigInt(r.permissions), 0n);
  }

  /** Discord's client neither lists nor sends a command whose default_member_permissions the member lacks. */
  canSee(who: PlaygroundPerson, command: APIApplicationCommand): boolean {
    if (command.default_member_permissions === null || command.default_member_permissions === undefined) return true;
    const have = this.permissionsOf(who);
    const need = BigInt(command.default_member_permissions);
    return (have & ADMINISTRATOR) !== 0n || (have & need) === need;
  }

  runCommand(personKey: string, channelId: string, input: PageCommandInput, attachments: readonly PageAttachment[] = []): ActionResult {
    const sent = this.sendCommand(personKey, channelId, input, attachments);
    return sent.ok ? { ok: true, interactionId: sent.handle.id } : sent;
  }

  private sendCommand(
    personKey: string,
    channelId: string,
    input: PageCommandInput,
    attachments: readonly PageAttachment[] = [],
  ): ActionResult<{ handle: InteractionHandle }> {
    const who = person(personKey);
    if (!who) return { ok: false, error: `unknown person "${personKey}"` };
    const command = this.commands().find((c) => c.name === input.name);
    if (command && !this.canSee(who, command)) {
      return { ok: false, error: `${who.user.globalName} cannot use /${command.name}: Discord hides it from members without the permissions it asks for.` };
    }
    const resolved = resolveCommandInput(this.commands(), { ...input, focused: undefined }, this.directory(attachments.map((a) => a.optionName)));
    if (!resolved.ok) return resolved;
    const files: AttachmentInit[] = attachments.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.data, 'base64'),
      contentType: a.contentType || 'application/octet-stream',
      optionName: a.optionName,
    }));
    return this.dispatch(who, channelId, resolved.label, () =>
      this.discord.sendCommand({
        name: resolved.name,
        ...(resolved.subcommandGroup ? { subcommandGroup: resolved.subcommandGroup } : {}),
        ...(resolved.subcommand ? { subcommand: resolved.subcommand } : {}),
        options: resolved.options,
        attachments: files,
        ...this.place(who, channelId),
      }),
    );
  }

  /** Sends an autocomplete interaction and returns the bot's choices (or why there are none). */
  async autocomplete(personKey: string, channelId: string, input: PageCommandInput): Promise<ActionResult<{ choices: { name: string; value: string | number }[] }>> {
    const who = person(personKey);
    if (!who) return { ok: false, error: `unknown person "${personKey}"` };
    const resolved = resolveCommandInput(this.commands(), input, this.directory());
    if (!resolved.ok) return resolved;
    if (!this.connected()) return { ok: false, error: 'The bot is not connected yet.' };
    const handle = this.discord.sendAutocomplete({
      name: resolved.name,
      ...(resolved.subcommandGroup ? { subcommandGroup: resolved.subcommandGroup } : {}),
      ...(resolved.subcommand ? { subcommand: resolved.subcommand } : {}),
      options: resolved.options,
      ...this.place(who, channelId),
    });
    try {
      const response = await handle.waitForResponse(RESPONSE_DEADLINE_MS);
      return { ok: true, choices: response.data.choices ?? [] };
    } catch {
      return { ok: false, error: 'The bot did not answer the autocomplete within 3 s.' };
    }
  }

  clickComponent(
    personKey: string,
    channelId: string,
    click: { messageId: string; customId: string; componentType: number; values?: string[] },
  ): ActionResult {
    const who = person(personKey);
    if (!who) return { ok: false, error: `unknown person "${personKey}"` };
    if (!COMPONENT_TYPES.has(click.componentType)) return { ok: false, error: 'not a clickable component' };
    const sent = this.dispatch(who, channelId, undefined, () =>
      this.discord.sendComponent({
        customId: click.customId,
        message: click.messageId,
        componentType: click.componentType,
        ...(click.componentType === ComponentType.Button ? {} : { values: click.values ?? [] }),
        ...this.place(who, channelId),
      }),
    );
    return sent.ok ? { ok: true, interactionId: sent.handle.id } : sent;
  }

  /**
   * "Post today's lesson now": the moderator's `/schedule post-now`, through the bot. Resolves with the bot's
   * answer to her (posted, already posted today, no schedule yet…) so the page can show it beside the control.
   */
  async postNow(): Promise<ActionResult<{ interactionId: string; answer?: string }>> {
    const sent = this.sendCommand('moderator', PLAYGROUND_IDS.lessons, { name: 'schedule', subcommand: 'post-now', options: [] });
    if (!sent.ok) return sent;
    return { ok: true, interactionId: sent.handle.id, ...(await answerOf(sent.handle)) };
  }

  /**
   * The moderator sets the daily post in #lessons for the next minute, so the real scheduler posts it; with the
   * bot's answer (its next post: this minute, or tomorrow when today's lesson was already posted).
   */
  async scheduleNextMinute(timeZone: string, now = new Date()): Promise<ActionResult<{ interactionId: string; time: string; answer?: string }>> {
    if (!isTimeZone(timeZone)) return { ok: false, error: `unknown time zone "${timeZone}"` };
    const time = localTime(new Date(now.getTime() + 60_000), timeZone);
    const sent = this.sendCommand('moderator', PLAYGROUND_IDS.lessons, {
      name: 'schedule',
      subcommand: 'set',
      options: [
        { name: 'channel', value: '#lessons' },
        { name: 'time', value: time },
        { name: 'timezone', value: timeZone },
      ],
    });
    if (!sent.ok) return sent;
    return { ok: true, interactionId: sent.handle.id, time, ...(await answerOf(sent.handle)) };
  }

  connected(): boolean {
    return this.discord.gatewaySessions().some((s) => s.connected && !s.invalidated);
  }

  private place(who: PlaygroundPerson, channelId: string) {
    return { guildId: this.guild.id, channelId, user: who.user, member: who.member };
  }

  private dispatch(who: PlaygroundPerson, channelId: string, label: string | undefined, send: () => InteractionHandle): ActionResult<{ handle: InteractionHandle }> {
    if (!this.connected()) return { ok: false, error: 'The bot is not connected yet.' };
    if (!this.discord.channels(this.guild.id).some((c) => c.id === channelId)) return { ok: false, error: 'unknown channel' };
    let handle: InteractionHandle;
    try {
      handle = send();
    } catch (error) {
      return { ok: false, error: (error as Error).message.replace(/^discord stand-in: /u, '') };
    }
    if (label) this.timeline.rememberInteraction(handle.id, who.user.id, label);
    this.timeline.rememberPlace(handle, { channelId, userId: who.user.id });
    // Discord's client says "The application did not respond" when no callback comes within 3 s.
    handle.waitForResponse(RESPONSE_DEADLINE_MS).catch(() =>
      this.timeline.addNotice({
        kind: 'no-response',
        text: `The application did not respond${label ? ` to ${label}` : ''} within 3 seconds.`,
        channelId,
        userId: who.user.id,
      }),
    );
    return { ok: true, handle };
  }
}

/** The text of the bot's final answer to an interaction (its content, else its first embed's), if it comes in time. */
async function answerOf(handle: InteractionHandle): Promise<{ answer?: string }> {
  try {
    const final = await handle.waitForFinal(ANSWER_WAIT_MS);
    const message = final.message ?? handle.original();
    const embed = message?.embeds[0];
    const text = message?.content || embed?.description || embed?.title;
    return text ? { answer: text } : {};
  } catch {
    return {};
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** HH:MM of an instant in a zone. */
export function localTime(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('hour')}:${get('minute')}`;
}

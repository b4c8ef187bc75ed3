import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { GatewayIntentBits, type APIApplicationCommand, type APIMessage, type APIRole, type APIUser } from 'discord.js';
import type { AutoModRuleInit } from './automod.js';
import { Gateway, type GatewaySessionInfo, type GatewayStats, type IdentifyRecord } from './gateway.js';
import { refusal, refuseRequest, refuseUpgrade } from './guard.js';
import type { FaultMatch, FaultResponse } from './http.js';
import {
  InteractionFactory,
  type AutocompleteInteractionInit,
  type CommandInteractionInit,
  type ComponentInteractionInit,
} from './interaction-payloads.js';
import { finalResponse, InteractionStore, type InteractionRecord, type InteractionResponseEvent } from './interactions.js';
import { MessageEvents } from './message-events.js';
import { isThread, makeUser, type ChannelInit, type ChannelObject, type JsonObject, type OverwriteInit, type RoleInit, type UserInit } from './objects.js';
import { RestApi, type RecordedRequest } from './rest-routes.js';
import { StandInState, type GuildInit, type GuildRecord } from './state.js';
import { ChangeSignal } from './waiting.js';
import type { LocalDiscordListener } from './events.js';

export { allow, deny, role, textChannel } from './objects.js';
export type { ChannelInit, ChannelObject, JsonObject, OverwriteInit, RoleInit, UploadedFile, UserInit } from './objects.js';
export type { GuildInit } from './state.js';
export type { AutoModRuleInit } from './automod.js';
export type { LocalDiscordEvent, LocalDiscordListener } from './events.js';
export type { FaultMatch, FaultResponse } from './http.js';
export type { RecordedRequest } from './rest-routes.js';
export type { GatewaySessionInfo, GatewayStats, IdentifyRecord } from './gateway.js';
export type { InteractionCallbackData, InteractionResponseEvent } from './interactions.js';
export type {
  AttachmentInit,
  AutocompleteInteractionInit,
  CommandInteractionInit,
  CommandOptionInit,
  ComponentInteractionInit,
  MemberInit,
} from './interaction-payloads.js';
export { DEFAULT_LEARNER } from './interaction-payloads.js';
export { PLAIN_MEMBER_PERMISSIONS, type PermissionInput, type PermissionName } from './permissions.js';

const DEFAULT_TIMEOUT_MS = 5000;

export interface DiscordStandInOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  applicationId?: string;
  botUser?: UserInit;
  /**
   * The bot's token (`token`); with it, and no `acceptToken`, only it is accepted. Default `stand-in-bot-token`,
   * with any token accepted.
   */
  token?: string;
  /** Tokens the REST API and gateway accept; any by default (only `token` when given). Others get 401 / close code 4004. */
  acceptToken?: (token: string) => boolean;
  /** HELLO's heartbeat_interval; Discord's is 41250 ms. */
  heartbeatIntervalMs?: number;
  /** Deadline for the first interaction callback (Discord: 3000 ms); later callbacks get 10062. */
  interactionAckTimeoutMs?: number;
  /** Interaction token lifetime for webhooks (Discord: 15 min). */
  interactionTokenLifetimeMs?: number;
  /** How long `enforce_nonce` remembers a nonce ("a few minutes" at Discord); default 5 min. */
  nonceWindowMs?: number;
  /** Privileged intents enabled for the application (bits); asking for others closes with 4014. */
  privilegedIntents?: number;
  /**
   * Enforce Discord's global rate limit (50/s) on requests made with the bot's token: beyond it a request gets
   * a global 429. Interaction callbacks, edits and follow-ups are exempt, as at Discord. Off by default.
   */
  globalRateLimitPerSecond?: number;
  /** Shard count recommended by GET /gateway/bot (default 1). */
  recommendedShards?: number;
  /** Keep only the newest N recorded requests (a long-running local Discord); all by default. */
  maxRecordedRequests?: number;
  /** Called for problems worth shouting about (compression requested, a stand-in bug); default console.error. */
  onProblem?: (message: string) => void;
}

/** The guild as added: ids to use in tests. */
export interface StandInGuild {
  id: string;
  name: string;
  ownerId: string;
  channels: ChannelObject[];
  roles: APIRole[];
}

/** A sent interaction and what the bot answered. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  /** The INTERACTION_CREATE payload as dispatched. */
  readonly payload: JsonObject;
  /** Callbacks, edits, follow-ups and deletes, in order. */
  responses(): InteractionResponseEvent[];
  /** The first callback. */
  waitForResponse(timeoutMs?: number): Promise<InteractionResponseEvent>;
  /** The callback of type 4/7/8/9, or after a deferral (5/6) the first edit of the original response. */
  waitForFinal(timeoutMs?: number): Promise<InteractionResponseEvent>;
  followUps(): InteractionResponseEvent[];
  /** The original response message as it stands (for components: the message the component is on). */
  original(): APIMessage | undefined;
}

/** A stand-in for Discord's REST API and gateway, on 127.0.0.1, for the real discord.js client. */
export class DiscordStandIn {
  /** Pass as discord.js `rest.api`. */
  readonly apiUrl: string;
  readonly baseUrl: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly botUser: APIUser;
  /** A token to log in with (`options.token`; without it any is accepted unless `acceptToken` says otherwise). */
  readonly token: string;
  private closed = false;

  private constructor(
    token: string,
    /** Problems reported so far (compression requested, stand-in bugs). */
    readonly problems: string[],
    private readonly server: Server,
    private readonly state: StandInState,
    private readonly gateway: Gateway,
    private readonly rest: RestApi,
    private readonly store: InteractionStore,
    private readonly factory: InteractionFactory,
    private readonly signal: ChangeSignal,
  ) {
    this.token = token;
    this.baseUrl = state.baseUrl;
    this.apiUrl = `${state.baseUrl}/api`;
    this.gatewayUrl = gateway.url;
    this.applicationId = state.applicationId;
    this.botUser = state.botUser;
  }

  static async start(options: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
    const problems: string[] = [];
    const report = options.onProblem ?? ((message: string) => console.error(message));
    const problem = (message: string) => {
      problems.push(message);
      report(message);
    };
    const signal = new ChangeSignal();
    const botUser = makeUser({ id: '300000000000000001', username: 'newsdesk', globalName: null, bot: true, ...options.botUser });
    const state = new StandInState(options.applicationId ?? botUser.id, botUser);
    const token = options.token ?? 'stand-in-bot-token';
    const acceptToken = options.acceptToken ?? (options.token === undefined ? () => true : (offered: string) => offered === token);
    const gateway = new Gateway({
      state,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      acceptToken,
      privilegedIntents: options.privilegedIntents ?? 0,
      problem,
      changed: () => signal.notify(),
    });
    const messageEvents = new MessageEvents(gateway, state);
    const store = new InteractionStore(state, messageEvents, signal, {
      ackTimeoutMs: options.interactionAckTimeoutMs ?? 3000,
      tokenLifetimeMs: options.interactionTokenLifetimeMs ?? 15 * 60_000,
    });
    const rest = new RestApi({
      deps: {
        state,
        gateway,
        interactions: store,
        messageEvents,
        nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
        recommendedShards: options.recommendedShards ?? 1,
      },
      ...(options.globalRateLimitPerSecond === undefined ? {} : { globalLimitPerSecond: options.globalRateLimitPerSecond }),
      acceptToken,
      signal,
      problem,
      maxRecordedRequests: options.maxRecordedRequests ?? Number.POSITIVE_INFINITY,
    });
    // Only programs on this machine: a web page's request (Origin) or one for another host name is refused unread.
    let port = 0;
    const refused = (request: IncomingMessage) => {
      const reason = refusal(request.headers, port);
      if (reason !== undefined) problem(`discord stand-in: refused ${reason}: ${request.method ?? 'GET'} ${request.url ?? '/'}`);
      return reason !== undefined;
    };
    const server = createServer((request, response) => {
      if (refused(request)) return refuseRequest(response);
      rest.handle(request, response).catch((error: unknown) => {
        problem(`discord stand-in: request failed: ${String(error)}`);
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (refused(request)) return refuseUpgrade(socket);
      gateway.handleUpgrade(request, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    state.baseUrl = `http://127.0.0.1:${port}`;
    gateway.setBaseUrl(`ws://127.0.0.1:${port}`);
    return new DiscordStandIn(token, problems, server, state, gateway, rest, store, new InteractionFactory(state, store), signal);
  }

  // ---- guilds and channels ---------------------------------------------------------------------

  /** Adds a guild the bot is in; sent in READY and GUILD_CREATE, or dispatched live if connected. */
  addGuild(init: GuildInit = {}): StandInGuild {
    const guild = this.state.addGuild(init);
    this.gateway.dispatch('GUILD_CREATE', guild.gatewayObject(), { guildId: guild.id, intent: GatewayIntentBits.Guilds });
    this.signal.notify();
    return describeGuild(guild);
  }

  guild(guildId: string): StandInGuild {
    return describeGuild(this.state.requireGuild(guildId));
  }

  addChannel(guildId: string, init: ChannelInit = {}): ChannelObject {
    const channel = this.state.addChannel(guildId, init);
    this.gateway.dispatch('CHANNEL_CREATE', channel, { guildId, intent: GatewayIntentBits.Guilds });
    return channel;
  }

  /** Deletes a channel: CHANNEL_DELETE (THREAD_DELETE for threads) is dispatched, later REST calls get 10003. */
  removeChannel(guildId: string, channelId: string): void {
    const channel = this.state.removeChannel(guildId, channelId);
    const event = isThread(channel) ? 'THREAD_DELETE' : 'CHANNEL_DELETE';
    const data = isThread(channel)
      ? { id: channel.id, guild_id: guildId, parent_id: channel.parent_id, type: channel.type }
      : channel;
    this.gateway.dispatch(event, data, { guildId, intent: GatewayIntentBits.Guilds });
  }

  /** Creates a role; GUILD_ROLE_CREATE tells the bot. */
  addRole(guildId: string, init: RoleInit): APIRole {
    const created = this.state.addRole(guildId, init);
    this.gateway.dispatch('GUILD_ROLE_CREATE', { guild_id: guildId, role: created }, { guildId, intent: GatewayIntentBits.Guilds });
    return created;
  }

  /** Deletes a role (a moderator's Delete Role); GUILD_ROLE_DELETE tells the bot, as Discord does. */
  deleteRole(guildId: string, roleId: string): void {
    this.state.deleteRole(guildId, roleId);
    this.gateway.dispatch('GUILD_ROLE_DELETE', { guild_id: guildId, role_id: roleId }, { guildId, intent: GatewayIntentBits.Guilds });
  }

  /**
   * Replaces the roles the bot holds (its @everyone aside); GUILD_MEMBER_UPDATE tells the bot, as Discord tells a
   * bot of its own member without the Guild Members intent.
   */
  setBotRoles(guildId: string, roleIds: readonly string[]): void {
    const member = this.state.setBotRoles(guildId, roleIds);
    this.gateway.dispatch('GUILD_MEMBER_UPDATE', { guild_id: guildId, ...member }, { guildId, intent: GatewayIntentBits.Guilds });
  }

  /** Replaces a channel's permission overwrites; CHANNEL_UPDATE tells the bot, as Discord does. */
  setChannelOverwrites(channelId: string, overwrites: OverwriteInit[]): void {
    const channel = this.state.setChannelOverwrites(channelId, overwrites);
    this.gateway.dispatch('CHANNEL_UPDATE', channel, { guildId: channel.guild_id, intent: GatewayIntentBits.Guilds });
  }

  /**
   * Adds an AutoMod keyword rule that blocks: a message whose content holds a keyword is refused with 400 and code
   * 200000, a thread named with one with 200001, as Discord does. Members with Administrator or Manage Server, and
   * the rule's exempt roles and channels, are not checked.
   */
  addAutoModRule(guildId: string, rule: AutoModRuleInit): void {
    this.state.requireGuild(guildId).autoModRules.push({ ...rule });
  }

  /** Makes the REST API refuse the bot's messages in this channel (50013), without telling discord.js. */
  denyChannel(channelId: string): void {
    this.state.deniedChannels.add(channelId);
  }

  allowChannel(channelId: string): void {
    this.state.deniedChannels.delete(channelId);
  }

  /** A guild's channels and threads, by position. */
  channels(guildId: string): ChannelObject[] {
    const guild = this.state.requireGuild(guildId);
    return [...guild.channels.values(), ...guild.threads.values()].sort((a, b) => a.position - b.position);
  }

  /** Observes every change: messages (ephemeral ones too), channels and threads, REST requests. Returns the unsubscriber. */
  observe(listener: LocalDiscordListener): () => void {
    return this.state.events.on(listener);
  }

  /** A user the local Discord knows (interaction authors, the bot). */
  user(userId: string): APIUser | undefined {
    return this.state.users.get(userId);
  }

  /** Registered commands (global, or of one guild). */
  commands(guildId?: string): APIApplicationCommand[] {
    return guildId === undefined ? [...this.state.globalCommands] : [...(this.state.guildCommands.get(guildId) ?? [])];
  }

  // ---- REST recording and faults ---------------------------------------------------------------

  get requests(): readonly RecordedRequest[] {
    return this.rest.requests;
  }

  /** Requests that matched no route (answered 404 code 0). */
  unexpectedRequests(): RecordedRequest[] {
    return this.rest.requests.filter((r) => r.unexpected);
  }

  /**
   * The next `times` requests matching `match` get `response` instead of being handled. A 429 carries
   * Discord's rate-limit headers and body; `retryAfter` is in seconds (fractions allowed).
   */
  failNext(match: FaultMatch, response: FaultResponse, times = 1): void {
    this.rest.faults.add(match, response, times);
  }

  /** Requests refused with a global 429 (see `globalRateLimitPerSecond`). */
  get globalRateLimited(): number {
    return this.rest.globalLimited;
  }

  /**
   * Forgets what was done so far: the interactions and their responses, the recorded requests and the channels'
   * messages (guilds, channels, commands and queued faults stay). For a long load run, between rounds whose
   * results were read: the process hosting the stand-in then collects less, and its pauses are part of every
   * latency it measures.
   */
  forgetHistory(): void {
    this.store.clear();
    this.rest.requests.length = 0;
    this.state.forgetMessages();
  }

  /** Forgets recorded requests and queued faults. */
  clearRecords(): void {
    this.rest.requests.length = 0;
    this.rest.faults.clear();
  }

  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RecordedRequest> {
    return this.signal.waitFor(
      () => this.rest.requests.find(predicate),
      timeoutMs,
      () => `a matching request; received: ${this.rest.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ') || 'none'}`,
    );
  }

  /** Messages now in the channel, oldest first (ephemeral interaction replies are not in any channel). */
  channelMessages(channelId: string): APIMessage[] {
    return [...this.state.channelMessages(channelId)];
  }

  waitForChannelMessage(
    channelId: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    predicate: (message: APIMessage) => boolean = () => true,
  ): Promise<APIMessage> {
    return this.signal.waitFor(
      () => this.state.channelMessages(channelId).find(predicate),
      timeoutMs,
      () => `a message in channel ${channelId}`,
    );
  }

  /** Sends any dispatch as it is, malformed ones included (a gateway that misbehaves); returns how many sessions got it. */
  dispatchRaw(event: string, data: unknown): number {
    return this.gateway.dispatch(event, data);
  }

  // ---- interactions ----------------------------------------------------------------------------

  /** Sends a chat-input command (INTERACTION_CREATE type 2) to the connected bot. */
  sendCommand(init: CommandInteractionInit): InteractionHandle {
    this.requireSession('sendCommand');
    return this.dispatchInteraction(this.factory.command(init));
  }

  /** Sends an autocomplete interaction (type 4); the bot's choices arrive as callback type 8. */
  sendAutocomplete(init: AutocompleteInteractionInit): InteractionHandle {
    this.requireSession('sendAutocomplete');
    return this.dispatchInteraction(this.factory.autocomplete(init));
  }

  /** Sends a button press (type 3, component_type 2) on a message. */
  sendButton(init: ComponentInteractionInit): InteractionHandle {
    this.requireSession('sendButton');
    return this.dispatchInteraction(this.factory.component(init));
  }

  /** Any message component (select menus with `values`). */
  sendComponent(init: ComponentInteractionInit): InteractionHandle {
    return this.sendButton(init);
  }

  interactionResponses(interactionId: string): InteractionResponseEvent[] {
    return [...(this.store.get(interactionId)?.events ?? [])];
  }

  // ---- gateway ---------------------------------------------------------------------------------

  /** Every IDENTIFY received (intents, shard, token...). */
  get identifies(): readonly IdentifyRecord[] {
    return this.gateway.identifies;
  }

  get gatewayStats(): Readonly<GatewayStats> {
    return this.gateway.stats;
  }

  gatewaySessions(): GatewaySessionInfo[] {
    return this.gateway.sessionInfos();
  }

  /** Resolves once a session is identified and connected. */
  waitForSession(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GatewaySessionInfo> {
    return this.signal.waitFor(
      () => this.gateway.sessionInfos().find((s) => s.connected && !s.invalidated),
      timeoutMs,
      () => 'a connected gateway session',
    );
  }

  /** Waits until `check` over the gateway counters holds (e.g. heartbeats acknowledged). */
  waitForGateway(check: (stats: GatewayStats) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<GatewayStats> {
    return this.signal.waitFor(
      () => (check(this.gateway.stats) ? { ...this.gateway.stats } : undefined),
      timeoutMs,
      () => `gateway stats to match; now ${JSON.stringify(this.gateway.stats)}`,
    );
  }

  /** Closes every gateway connection; sessions stay resumable unless `invalidateSessions`. */
  disconnectAll(code = 4000, options: { invalidateSessions?: boolean; terminate?: boolean } = {}): void {
    this.gateway.disconnectAll(code, options);
  }

  /** Sends op 7 RECONNECT to every connection. */
  requestReconnect(): void {
    this.gateway.requestReconnect();
  }

  /**
   * Every gateway connection goes silent as after a network cut (no FIN): the sockets stay open, nothing more is
   * read or sent, a client's close frame is never answered. For the rest of the stand-in's life.
   */
  freezeGateway(): void {
    this.gateway.freeze();
  }

  /** Stop (or resume) answering heartbeats with op 11, to test zombie-connection handling. */
  setHeartbeatAcks(enabled: boolean): void {
    this.gateway.ackHeartbeats = enabled;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal.close();
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private requireSession(what: string): void {
    if (!this.gateway.hasLiveSession()) throw new Error(`discord stand-in: ${what} needs a bot connected to the gateway`);
  }

  private dispatchInteraction(record: InteractionRecord): InteractionHandle {
    record.dispatchedAt = Date.now();
    this.gateway.dispatch('INTERACTION_CREATE', record.payload, { guildId: record.guildId });
    const describe = (what: string) => () => `${what} to interaction ${record.id}; so far: ${JSON.stringify(record.events.map((e) => [e.kind, e.type]))}`;
    return {
      id: record.id,
      token: record.token,
      payload: record.payload,
      responses: () => [...record.events],
      followUps: () => record.events.filter((e) => e.kind === 'followup'),
      original: () => record.original,
      waitForResponse: (timeoutMs = DEFAULT_TIMEOUT_MS) =>
        this.signal.waitFor(() => record.events.find((e) => e.kind === 'callback'), timeoutMs, describe('a callback')),
      waitForFinal: (timeoutMs = DEFAULT_TIMEOUT_MS) =>
        this.signal.waitFor(() => finalResponse(record.events), timeoutMs, describe('a final response')),
    };
  }
}

/** Starts the stand-in on 127.0.0.1. */
export function startDiscordStandIn(options: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
  return DiscordStandIn.start(options);
}

function describeGuild(guild: GuildRecord): StandInGuild {
  return {
    id: guild.id,
    name: guild.name,
    ownerId: guild.ownerId,
    channels: [...guild.channels.values()],
    roles: [...guild.roles.values()],
  };
}


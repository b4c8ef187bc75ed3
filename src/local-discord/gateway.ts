import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from 'discord.js';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { JsonObject } from './objects.js';
import type { StandInState } from './state.js';

export const GATEWAY_PATH = '/gateway';
export const RESUME_GATEWAY_PATH = '/gateway-resume';

const KNOWN_INTENTS = Object.values(GatewayIntentBits)
  .filter((bit): bit is number => typeof bit === 'number')
  .reduce((all, bit) => all | bit, 0);
const PRIVILEGED_INTENTS = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;
const REPLAY_LIMIT = 1000;

/** What the client sent in IDENTIFY (op 2). */
export interface IdentifyRecord {
  token: string;
  intents: number;
  shard: [number, number];
  compress: boolean;
  properties: unknown;
  presence: unknown;
  at: number;
}

export interface GatewaySessionInfo {
  sessionId: string;
  intents: number;
  shard: [number, number];
  connected: boolean;
  invalidated: boolean;
  sequence: number;
  resumes: number;
}

export interface GatewayStats {
  connections: number;
  identifies: number;
  resumes: number;
  invalidSessions: number;
  heartbeats: number;
  heartbeatAcks: number;
}

interface DispatchFrame {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  token: string;
  intents: number;
  shard: [number, number];
  sequence: number;
  frames: DispatchFrame[];
  socket: WebSocket | undefined;
  invalidated: boolean;
  resumes: number;
}

interface Connection {
  socket: WebSocket;
  session: Session | undefined;
}

export interface GatewayOptions {
  state: StandInState;
  heartbeatIntervalMs: number;
  acceptToken: (token: string) => boolean;
  /** Privileged intents the application has enabled; asking for others closes with 4014. */
  privilegedIntents: number;
  problem: (message: string) => void;
  changed: () => void;
}

/** A Discord gateway (v10, JSON, uncompressed) on top of `ws`. */
export class Gateway {
  readonly identifies: IdentifyRecord[] = [];
  readonly stats: GatewayStats = { connections: 0, identifies: 0, resumes: 0, invalidSessions: 0, heartbeats: 0, heartbeatAcks: 0 };
  ackHeartbeats = true;
  /** Set by `freeze`: no byte is read from or written to any connection (a network cut, no FIN). */
  frozen = false;
  url = '';
  resumeUrl = '';
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<WebSocket>();
  /** Each connection's TCP socket, paused by `freeze`. */
  private readonly streams = new Map<WebSocket, Duplex>();
  private readonly server = new WebSocketServer({ noServer: true });

  constructor(private readonly options: GatewayOptions) {}

  setBaseUrl(wsBase: string): void {
    this.url = `${wsBase}${GATEWAY_PATH}`;
    this.resumeUrl = `${wsBase}${RESUME_GATEWAY_PATH}`;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== GATEWAY_PATH && url.pathname !== RESUME_GATEWAY_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.streams.set(ws, socket);
      if (this.frozen) socket.pause();
      this.onConnection(ws, url);
    });
  }

  sessionInfos(): GatewaySessionInfo[] {
    return [...this.sessions.values()].map((s) => ({
      sessionId: s.id,
      intents: s.intents,
      shard: s.shard,
      connected: s.socket?.readyState === WebSocket.OPEN,
      invalidated: s.invalidated,
      sequence: s.sequence,
      resumes: s.resumes,
    }));
  }

  hasLiveSession(): boolean {
    return [...this.sessions.values()].some((s) => !s.invalidated);
  }

  /**
   * Sends a dispatch to every valid session whose shard owns `guildId` and whose intents include
   * `intent`; sessions that are momentarily disconnected get it when they resume. Returns the count.
   */
  dispatch(event: string, data: unknown, scope: { guildId?: string; intent?: number } = {}): number {
    let delivered = 0;
    for (const session of this.sessions.values()) {
      if (session.invalidated) continue;
      if (scope.intent !== undefined && (session.intents & scope.intent) === 0) continue;
      if (scope.guildId !== undefined && !ownsGuild(session.shard, scope.guildId)) continue;
      this.sendDispatch(session, event, data);
      delivered += 1;
    }
    return delivered;
  }

  /** Closes every connection (close frame with `code`, or a dropped TCP connection with `terminate`). */
  disconnectAll(code = 4000, options: { invalidateSessions?: boolean; terminate?: boolean } = {}): void {
    if (options.invalidateSessions) for (const session of this.sessions.values()) session.invalidated = true;
    for (const socket of this.sockets) {
      if (options.terminate) socket.terminate();
      else socket.close(code);
    }
  }

  /**
   * The connections go silent, as after a network cut: their sockets stay open (no FIN, no close frame) but nothing
   * is read from them or sent on them any more, so a client's close handshake is never answered.
   */
  freeze(): void {
    this.frozen = true;
    for (const stream of this.streams.values()) stream.pause();
  }

  /** Asks every connected client to reconnect and resume (op 7). */
  requestReconnect(): void {
    for (const socket of this.sockets) sendJson(socket, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: WebSocket, url: URL): void {
    this.sockets.add(socket);
    this.stats.connections += 1;
    const connection: Connection = { socket, session: undefined };
    socket.on('close', (code) => this.onClose(connection, code));
    socket.on('error', () => undefined);

    const refusal = refuseQuery(url.searchParams);
    if (refusal) {
      this.options.problem(refusal);
      socket.close(GatewayCloseCodes.InvalidAPIVersion, refusal.slice(0, 120));
      return;
    }
    socket.on('message', (data) => this.onMessage(connection, data));
    sendJson(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
  }

  private onClose(connection: Connection, code: number): void {
    this.sockets.delete(connection.socket);
    this.streams.delete(connection.socket);
    const session = connection.session;
    if (session && session.socket === connection.socket) {
      session.socket = undefined;
      // A client closing with 1000/1001 ends its session (Discord's documented behaviour).
      if (code === 1000 || code === 1001) session.invalidated = true;
    }
    this.options.changed();
  }

  private onMessage(connection: Connection, data: RawData): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(rawText(data)) as { op?: unknown; d?: unknown };
    } catch {
      connection.socket.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as JsonObject;
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.stats.heartbeats += 1;
        if (this.ackHeartbeats) {
          this.stats.heartbeatAcks += 1;
          sendJson(connection.socket, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        }
        break;
      case GatewayOpcodes.Identify:
        this.identify(connection, d);
        break;
      case GatewayOpcodes.Resume:
        this.resume(connection, d);
        break;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.RequestSoundboardSounds:
        if (!connection.session) connection.socket.close(GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        break;
      default:
        connection.socket.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
    this.options.changed();
  }

  private identify(connection: Connection, d: JsonObject): void {
    const { socket } = connection;
    if (connection.session) return socket.close(GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    const token = typeof d.token === 'string' ? d.token : '';
    if (!this.options.acceptToken(token)) return socket.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const shard = parseShard(d.shard);
    if (!shard) return socket.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    const intents = typeof d.intents === 'number' ? d.intents : -1;
    if (intents < 0 || (intents & ~KNOWN_INTENTS) !== 0) return socket.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    if ((intents & PRIVILEGED_INTENTS & ~this.options.privilegedIntents) !== 0) {
      return socket.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    }
    this.identifies.push({
      token,
      intents,
      shard,
      compress: d.compress === true,
      properties: d.properties,
      presence: d.presence,
      at: Date.now(),
    });
    this.stats.identifies += 1;

    const session: Session = {
      id: randomBytes(16).toString('hex'),
      token,
      intents,
      shard,
      sequence: 0,
      frames: [],
      socket,
      invalidated: false,
      resumes: 0,
    };
    this.sessions.set(session.id, session);
    connection.session = session;

    const { state } = this.options;
    const guilds = [...state.guilds.values()].filter((g) => ownsGuild(shard, g.id));
    this.sendDispatch(session, 'READY', {
      v: 10,
      user: { ...state.botUser, verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.resumeUrl,
      shard,
      application: { id: state.applicationId, flags: 0 },
    });
    for (const guild of guilds) this.sendDispatch(session, 'GUILD_CREATE', guild.gatewayObject());
  }

  private resume(connection: Connection, d: JsonObject): void {
    const session = this.sessions.get(typeof d.session_id === 'string' ? d.session_id : '');
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    const valid =
      session !== undefined &&
      !session.invalidated &&
      session.token === d.token &&
      this.options.acceptToken(session.token) &&
      seq <= session.sequence &&
      (session.frames[0]?.s ?? session.sequence + 1) <= seq + 1;
    if (!valid) {
      this.stats.invalidSessions += 1;
      sendJson(connection.socket, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (session.socket && session.socket !== connection.socket) session.socket.close(4000, 'Session resumed elsewhere.');
    session.socket = connection.socket;
    session.resumes += 1;
    connection.session = session;
    this.stats.resumes += 1;
    for (const frame of session.frames) if (frame.s > seq) sendJson(connection.socket, frame);
    this.sendDispatch(session, 'RESUMED', {});
  }

  private sendDispatch(session: Session, event: string, data: unknown): void {
    session.sequence += 1;
    const frame: DispatchFrame = { op: 0, t: event, s: session.sequence, d: data };
    session.frames.push(frame);
    if (session.frames.length > REPLAY_LIMIT) session.frames.shift();
    if (session.socket?.readyState === WebSocket.OPEN && !this.frozen) sendJson(session.socket, frame);
  }
}

function refuseQuery(params: URLSearchParams): string | undefined {
  if (params.has('compress')) {
    return (
      `discord stand-in: the client asked for compress=${params.get('compress')}; this stand-in only speaks ` +
      'uncompressed JSON. discord.js asks for zlib-stream whenever the optional package zlib-sync is installed: uninstall it.'
    );
  }
  if (params.get('v') !== '10') return `discord stand-in: gateway version v=${params.get('v')} requested; only v=10 is served.`;
  const encoding = params.get('encoding') ?? 'json';
  if (encoding !== 'json') return `discord stand-in: encoding=${encoding} requested; only json is served.`;
  return undefined;
}

function parseShard(value: unknown): [number, number] | undefined {
  if (value === undefined) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [id, count] = value as unknown[];
  if (typeof id !== 'number' || typeof count !== 'number' || count < 1 || id < 0 || id >= count) return undefined;
  return [id, count];
}

/** Discord's sharding formula: shard_id = (guild_id >> 22) % num_shards. */
function ownsGuild(shard: [number, number], guildId: string): boolean {
  return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function sendJson(socket: WebSocket, payload: unknown): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
}

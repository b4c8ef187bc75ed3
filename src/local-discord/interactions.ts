import {
  InteractionResponseType,
  InteractionType,
  MessageType,
  type APIEmbed,
  type APIMessage,
  type APIUser,
} from 'discord.js';
import { apiErrors, FormErrors } from './errors.js';
import type { HttpReply } from './http.js';
import type { MessageEvents } from './message-events.js';
import { applyMessageEdit, isObject, makeMessage, type JsonObject, type UploadedFile } from './objects.js';
import { isoTimestamp } from './snowflake.js';
import type { StandInState } from './state.js';
import { attachmentsFromUpload } from './uploads.js';
import { validateMessageBody } from './validation.js';
import type { ChangeSignal } from './waiting.js';

const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;

/** The `data` of a callback, or the body of a webhook edit/follow-up, as the bot sent it. */
export interface InteractionCallbackData {
  content?: string;
  embeds?: APIEmbed[];
  components?: unknown[];
  flags?: number;
  choices?: { name: string; value: string | number }[];
  custom_id?: string;
  title?: string;
  [key: string]: unknown;
}

/** One step of an interaction's response, in the order the bot made them. */
export interface InteractionResponseEvent {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  /** The callback type (4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 choices, 9 modal). */
  type?: InteractionResponseType;
  /** For edits and deletes: the message id in the route, or `@original`. */
  target?: string;
  data: InteractionCallbackData;
  files: UploadedFile[];
  /** The message as it stood after this step. */
  message?: APIMessage;
  /** True when this step created, edited or deleted the original response. */
  isOriginal: boolean;
  at: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  payload: JsonObject;
  guildId: string;
  channelId: string;
  user: APIUser;
  dispatchedAt: number;
  callbackType?: InteractionResponseType;
  original?: APIMessage;
  followUps: APIMessage[];
  /** For component interactions: the message the component is on. */
  componentMessage?: APIMessage;
  events: InteractionResponseEvent[];
}

export interface InteractionTimings {
  /** Discord's 3 s deadline for the first callback. */
  ackTimeoutMs: number;
  /** Discord's 15 min token lifetime for webhooks (edits, follow-ups). */
  tokenLifetimeMs: number;
}

const ALLOWED_CALLBACKS: Record<number, readonly number[]> = {
  [InteractionType.Ping]: [InteractionResponseType.Pong],
  [InteractionType.ApplicationCommand]: [4, 5, 9, 10, 12],
  [InteractionType.MessageComponent]: [4, 5, 6, 7, 9, 10, 12],
  [InteractionType.ApplicationCommandAutocomplete]: [8],
  [InteractionType.ModalSubmit]: [4, 5, 6, 7, 10],
};

/** Interactions sent to the bot, and everything the bot answered to them. */
export class InteractionStore {
  private readonly byId = new Map<string, InteractionRecord>();
  private readonly byToken = new Map<string, InteractionRecord>();
  /** Every message made by a response (ephemeral ones too, which no channel holds), until deleted. */
  private readonly responseMessages = new Map<string, APIMessage>();

  constructor(
    private readonly state: StandInState,
    private readonly messageEvents: MessageEvents,
    private readonly signal: ChangeSignal,
    private readonly timings: InteractionTimings,
  ) {}

  register(record: InteractionRecord): void {
    this.byId.set(record.id, record);
    this.byToken.set(record.token, record);
  }

  get(id: string): InteractionRecord | undefined {
    return this.byId.get(id);
  }

  all(): InteractionRecord[] {
    return [...this.byId.values()];
  }

  /** A message an interaction response made (an original or a follow-up), by id, unless it was deleted. */
  responseMessage(id: string): APIMessage | undefined {
    return this.responseMessages.get(id);
  }

  clear(): void {
    this.byId.clear();
    this.byToken.clear();
    this.responseMessages.clear();
  }

  // ---- POST /interactions/{id}/{token}/callback ---------------------------------------------

  callback(id: string, token: string, body: unknown, files: UploadedFile[], withResponse: boolean): HttpReply {
    const record = this.byId.get(id);
    if (!record || record.token !== token) throw apiErrors.unknownInteraction();
    if (record.callbackType !== undefined) throw apiErrors.alreadyAcknowledged();
    if (Date.now() - record.dispatchedAt > this.timings.ackTimeoutMs) throw apiErrors.unknownInteraction();
    const request = isObject(body) ? body : {};
    const type = request.type;
    if (typeof type !== 'number' || !(ALLOWED_CALLBACKS[record.type] ?? []).includes(type)) {
      throw invalidCallbackType('Interaction callback type is invalid for this interaction');
    }
    const data = (isObject(request.data) ? request.data : {}) as InteractionCallbackData;
    const message = this.applyCallback(record, type as InteractionResponseType, data, files);

    record.callbackType = type as InteractionResponseType;
    this.record(record, { kind: 'callback', type: record.callbackType, data, files, message, isOriginal: message !== undefined });
    if (!withResponse) return { status: 204 };
    return { status: 200, body: this.callbackResponse(record, record.callbackType, message) };
  }

  private applyCallback(
    record: InteractionRecord,
    type: InteractionResponseType,
    data: InteractionCallbackData,
    files: UploadedFile[],
  ): APIMessage | undefined {
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource:
        validateMessageBody(data, { creating: true, fileCount: files.length });
        record.original = this.createMessage(record, data, files, 0);
        return record.original;
      case InteractionResponseType.DeferredChannelMessageWithSource:
        // Only EPHEMERAL may be set on a deferral; the user sees a loading message.
        record.original = this.createMessage(record, { flags: (data.flags ?? 0) & EPHEMERAL }, [], LOADING);
        return record.original;
      case InteractionResponseType.DeferredMessageUpdate:
        record.original = this.requireComponentMessage(record);
        this.responseMessages.set(record.original.id, record.original);
        return record.original;
      case InteractionResponseType.UpdateMessage: {
        const target = this.requireComponentMessage(record);
        validateMessageBody(data, { creating: false, fileCount: files.length });
        applyMessageEdit(target, data, attachmentsFromUpload(this.state, data, files));
        target.edited_timestamp = isoTimestamp();
        this.messageEvents.updated(target);
        record.original = target;
        this.responseMessages.set(target.id, target);
        return target;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const errors = new FormErrors();
        errors.checkLength(['data', 'choices'], data.choices ?? [], 25);
        (data.choices ?? []).forEach((choice, index) => {
          errors.checkLength(['data', 'choices', index, 'name'], choice.name, 100, 1);
          // A string choice's value is at most 100 characters, as a registered choice's is.
          errors.checkLength(['data', 'choices', index, 'value'], choice.value, 100);
        });
        errors.throwIfAny();
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private requireComponentMessage(record: InteractionRecord): APIMessage {
    if (!record.componentMessage) throw invalidCallbackType('This interaction has no message to update');
    return record.componentMessage;
  }

  private callbackResponse(record: InteractionRecord, type: InteractionResponseType, message: APIMessage | undefined): JsonObject {
    const flags = message?.flags ?? 0;
    return {
      interaction: {
        id: record.id,
        type: record.type,
        ...(message
          ? {
              response_message_id: message.id,
              response_message_loading: (flags & LOADING) !== 0,
              response_message_ephemeral: (flags & EPHEMERAL) !== 0,
            }
          : {}),
      },
      resource: {
        type,
        ...(message && (type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.UpdateMessage)
          ? { message }
          : {}),
      },
    };
  }

  // ---- /webhooks/{application}/{token}[/messages/{id}] ----------------------------------------

  /** Follow-ups always answer with the message (`wait` is always true for interactions). */
  followUp(appId: string, token: string, body: JsonObject, files: UploadedFile[]): HttpReply {
    const record = this.recordForWebhook(appId, token);
    if (record.callbackType === undefined) throw apiErrors.unknownWebhook();
    const data = body as InteractionCallbackData;
    const original = record.original;
    if (record.callbackType === InteractionResponseType.DeferredChannelMessageWithSource && original && isLoading(original)) {
      // Documented: right after a deferred reply, a follow-up edits the loading message instead
      // (keeping the deferral's ephemeral state) and no new message is created.
      validateMessageBody(data, { creating: true, fileCount: files.length });
      const { flags: _ignored, ...rest } = data;
      this.finishLoading(original, rest, files);
      this.record(record, { kind: 'followup', data, files, message: original, isOriginal: true });
      return { status: 200, body: original };
    }
    validateMessageBody(data, { creating: true, fileCount: files.length });
    const message = this.createMessage(record, data, files, 0);
    record.followUps.push(message);
    this.record(record, { kind: 'followup', data, files, message, isOriginal: false });
    return { status: 200, body: message };
  }

  getMessage(appId: string, token: string, messageId: string): HttpReply {
    const record = this.recordForWebhook(appId, token);
    return { status: 200, body: this.resolveMessage(record, messageId) };
  }

  editMessage(appId: string, token: string, messageId: string, body: JsonObject, files: UploadedFile[]): HttpReply {
    const record = this.recordForWebhook(appId, token);
    const message = this.resolveMessage(record, messageId);
    const data = body as InteractionCallbackData;
    if (isLoading(message)) {
      validateMessageBody(data, { creating: true, fileCount: files.length });
      this.finishLoading(message, data, files);
    } else {
      validateMessageBody(data, { creating: false, fileCount: files.length });
      applyMessageEdit(message, data, attachmentsFromUpload(this.state, data, files));
      message.edited_timestamp = isoTimestamp();
      this.messageEvents.updated(message);
    }
    this.record(record, { kind: 'edit', target: messageId, data, files, message, isOriginal: message === record.original });
    return { status: 200, body: message };
  }

  deleteMessage(appId: string, token: string, messageId: string): HttpReply {
    const record = this.recordForWebhook(appId, token);
    const message = this.resolveMessage(record, messageId);
    const isOriginal = message === record.original;
    this.state.deleteMessage(message.channel_id, message.id);
    if (this.responseMessages.get(message.id) === message) this.responseMessages.delete(message.id);
    if (isOriginal) record.original = undefined;
    record.followUps = record.followUps.filter((m) => m !== message);
    this.messageEvents.deleted(message.channel_id, message.id, { ephemeral: ((message.flags ?? 0) & EPHEMERAL) !== 0 });
    this.record(record, { kind: 'delete', target: messageId, data: {}, files: [], isOriginal });
    return { status: 204 };
  }

  private recordForWebhook(appId: string, token: string): InteractionRecord {
    if (appId !== this.state.applicationId) throw apiErrors.unknownWebhook();
    const record = this.byToken.get(token);
    if (!record) throw apiErrors.invalidWebhookToken();
    const age = Date.now() - record.dispatchedAt;
    // A token dies when the 3 s deadline passes without a callback, and after 15 minutes anyway.
    if ((record.callbackType === undefined && age > this.timings.ackTimeoutMs) || age > this.timings.tokenLifetimeMs) {
      throw apiErrors.invalidWebhookToken();
    }
    return record;
  }

  private resolveMessage(record: InteractionRecord, messageId: string): APIMessage {
    const message =
      messageId === '@original'
        ? record.original
        : [record.original, ...record.followUps].find((m) => m?.id === messageId);
    if (!message) throw apiErrors.unknownMessage();
    return message;
  }

  private finishLoading(message: APIMessage, data: InteractionCallbackData, files: UploadedFile[]): void {
    applyMessageEdit(message, data, attachmentsFromUpload(this.state, data, files));
    message.flags = (message.flags ?? 0) & ~LOADING;
    this.messageEvents.updated(message);
  }

  private createMessage(record: InteractionRecord, data: InteractionCallbackData, files: UploadedFile[], extraFlags: number): APIMessage {
    const message = makeMessage({
      channelId: record.channelId,
      guildId: record.guildId,
      author: this.state.botUser,
      body: data,
      attachments: attachmentsFromUpload(this.state, data, files),
      type: record.type === InteractionType.ApplicationCommand ? MessageType.ChatInputCommand : MessageType.Default,
      webhookId: this.state.applicationId,
      applicationId: this.state.applicationId,
      interactionMetadata: {
        id: record.id,
        type: record.type,
        user: record.user,
        authorizing_integration_owners: { 0: record.guildId },
        ...(record.componentMessage ? { interacted_message_id: record.componentMessage.id } : {}),
      } as APIMessage['interaction_metadata'],
      extraFlags,
    });
    if (((message.flags ?? 0) & EPHEMERAL) === 0) this.state.insertMessage(message);
    this.responseMessages.set(message.id, message);
    this.messageEvents.created(message);
    return message;
  }

  private record(record: InteractionRecord, event: Omit<InteractionResponseEvent, 'at'>): void {
    record.events.push({ ...event, ...(event.message ? { message: structuredClone(event.message) } : {}), at: Date.now() });
    this.signal.notify();
  }
}

function invalidCallbackType(message: string) {
  return apiErrors.invalidFormBody({ type: { _errors: [{ code: 'INTERACTION_CALLBACK_TYPE_INVALID', message }] } });
}

function isLoading(message: APIMessage): boolean {
  return ((message.flags ?? 0) & LOADING) !== 0;
}

/** The step that settles the response: a reply/update/choices/modal callback, or after a deferral the first change to the original. */
export function finalResponse(events: readonly InteractionResponseEvent[]): InteractionResponseEvent | undefined {
  const callback = events.find((e) => e.kind === 'callback');
  if (!callback) return undefined;
  const deferred =
    callback.type === InteractionResponseType.DeferredChannelMessageWithSource ||
    callback.type === InteractionResponseType.DeferredMessageUpdate;
  if (!deferred) return callback;
  return events.find((e) => e !== callback && e.isOriginal && (e.kind === 'edit' || e.kind === 'followup'));
}

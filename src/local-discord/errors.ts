/** One `_errors` entry of Discord's "Invalid Form Body" error tree. */
export interface FormErrorItem {
  code: string;
  message: string;
}

export interface FormErrorTree {
  [key: string]: FormErrorTree | FormErrorItem[];
}

/** An error response in Discord's JSON shape: `{ message, code, errors? }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: FormErrorTree,
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    return { message: this.message, code: this.code, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

/** Documented JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const apiErrors = {
  notFound: () => new ApiError(404, 0, '404: Not Found'),
  unauthorized: () => new ApiError(401, 0, '401: Unauthorized'),
  unknownApplication: () => new ApiError(404, 10002, 'Unknown Application'),
  unknownChannel: () => new ApiError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new ApiError(404, 10004, 'Unknown Guild'),
  unknownMember: () => new ApiError(404, 10007, 'Unknown Member'),
  unknownMessage: () => new ApiError(404, 10008, 'Unknown Message'),
  unknownRole: () => new ApiError(404, 10011, 'Unknown Role'),
  unknownUser: () => new ApiError(404, 10013, 'Unknown User'),
  unknownWebhook: () => new ApiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new ApiError(404, 10062, 'Unknown interaction'),
  unknownCommand: () => new ApiError(404, 10063, 'Unknown application command'),
  requestEntityTooLarge: () => new ApiError(413, 40005, 'Request entity too large'),
  alreadyCrossposted: () => new ApiError(400, 40033, 'This message has already been crossposted.'),
  alreadyAcknowledged: () => new ApiError(400, 40060, 'Interaction has already been acknowledged.'),
  missingAccess: () => new ApiError(403, 50001, 'Missing Access'),
  cannotEditOthersMessage: () => new ApiError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new ApiError(400, 50006, 'Cannot send an empty message'),
  cannotSendInNonTextChannel: () => new ApiError(400, 50008, 'Cannot send messages in a non-text channel'),
  missingPermissions: () => new ApiError(403, 50013, 'Missing Permissions'),
  invalidChannelType: () => new ApiError(400, 50024, 'Cannot execute action on this channel type'),
  invalidWebhookToken: () => new ApiError(401, 50027, 'Invalid Webhook Token'),
  invalidFormBody: (errors: FormErrorTree) => new ApiError(400, 50035, 'Invalid Form Body', errors),
  invalidJson: () => new ApiError(400, 50109, 'The request body contains invalid JSON.'),
  threadAlreadyCreated: () => new ApiError(400, 160004, 'A thread has already been created for this message'),
  blockedByAutoMod: () => new ApiError(400, 200000, 'Message was blocked by automatic moderation'),
  titleBlockedByAutoMod: () => new ApiError(400, 200001, 'Title was blocked by automatic moderation'),
};

/** Collects field errors and throws them as one 50035 "Invalid Form Body", as Discord does. */
export class FormErrors {
  private readonly root: FormErrorTree = {};
  private count = 0;

  add(path: readonly (string | number)[], code: string, message: string): void {
    let node = this.root;
    for (const key of path) {
      const next = node[String(key)];
      if (next === undefined || Array.isArray(next)) {
        const created: FormErrorTree = {};
        node[String(key)] = created;
        node = created;
      } else {
        node = next;
      }
    }
    const existing = node._errors;
    const list = Array.isArray(existing) ? existing : [];
    list.push({ code, message });
    node._errors = list;
    this.count += 1;
  }

  /** Adds an error when a string or array is longer than `max` (or shorter than `min`). */
  checkLength(path: readonly (string | number)[], value: unknown, max: number, min = 0): void {
    if (typeof value !== 'string' && !Array.isArray(value)) return;
    if (value.length > max && min === 0) {
      this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    } else if (value.length > max || value.length < min) {
      this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
    }
  }

  throwIfAny(): void {
    if (this.count > 0) throw apiErrors.invalidFormBody(this.root);
  }
}

import type { Gateway } from './gateway.js';
import type { HttpReply } from './http.js';
import type { InteractionStore } from './interactions.js';
import type { MessageEvents } from './message-events.js';
import { isObject, type JsonObject, type UploadedFile } from './objects.js';
import type { StandInState } from './state.js';
import type { JsonBody } from './uploads.js';

export interface RouteDeps {
  state: StandInState;
  gateway: Gateway;
  interactions: InteractionStore;
  messageEvents: MessageEvents;
  nonceWindowMs: number;
  /** `shards` answered by GET /gateway/bot (Discord's recommendation). */
  recommendedShards: number;
}

export interface RouteContext {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: JsonBody;
  files: UploadedFile[];
  deps: RouteDeps;
}

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/channels/:channelId/messages`; `:name` segments are parameters. */
  pattern: string;
  /** Whether the route needs `Authorization: Bot <token>` (interaction and webhook-token routes do not). */
  auth: boolean;
  handle(ctx: RouteContext): HttpReply;
}

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

export function matchRoute(routes: readonly RouteDefinition[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.pattern.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((part, index) => {
      const segment = decodeURIComponent(segments[index] ?? '');
      if (part.startsWith(':')) {
        params[part.slice(1)] = segment;
        return true;
      }
      return part === segment;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

export function objectBody(ctx: RouteContext): JsonObject {
  return isObject(ctx.body) ? ctx.body : {};
}

export function param(ctx: RouteContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route parameter ${name} missing`);
  return value;
}

export const ok = (body: unknown): HttpReply => ({ status: 200, body });
export const noContent = (): HttpReply => ({ status: 204 });

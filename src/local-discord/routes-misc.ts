import { apiErrors } from './errors.js';
import { objectBody, ok, param, type RouteContext, type RouteDefinition } from './router.js';
import type { GuildRecord } from './state.js';

function guild(ctx: RouteContext): GuildRecord {
  const found = ctx.deps.state.guilds.get(param(ctx, 'guildId'));
  if (!found) throw apiErrors.unknownGuild();
  return found;
}

function gatewayBot(ctx: RouteContext) {
  return ok({
    url: ctx.deps.gateway.url,
    shards: ctx.deps.recommendedShards,
    session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
  });
}

function currentUser(ctx: RouteContext) {
  return ok({ ...ctx.deps.state.botUser, verified: true, mfa_enabled: false, email: null, locale: 'en-US' });
}

function user(ctx: RouteContext) {
  const found = ctx.deps.state.users.get(param(ctx, 'userId'));
  if (!found) throw apiErrors.unknownUser();
  return ok(found);
}

function guildObject(ctx: RouteContext) {
  const record = guild(ctx);
  const counts = ctx.query.get('with_counts') === 'true'
    ? { approximate_member_count: record.members.size, approximate_presence_count: 0 }
    : {};
  return ok({ ...record.restObject(), ...counts });
}

function guildMember(ctx: RouteContext) {
  const member = guild(ctx).members.get(param(ctx, 'userId'));
  if (!member) throw apiErrors.unknownMember();
  return ok(member);
}

function interactionCallback(ctx: RouteContext) {
  return ctx.deps.interactions.callback(
    param(ctx, 'interactionId'),
    param(ctx, 'token'),
    ctx.body,
    ctx.files,
    ctx.query.get('with_response') === 'true',
  );
}

export const miscRoutes: RouteDefinition[] = [
  { method: 'GET', pattern: '/gateway', auth: false, handle: (ctx) => ok({ url: ctx.deps.gateway.url }) },
  { method: 'GET', pattern: '/gateway/bot', auth: true, handle: gatewayBot },
  { method: 'GET', pattern: '/users/@me', auth: true, handle: currentUser },
  { method: 'GET', pattern: '/users/:userId', auth: true, handle: user },
  { method: 'GET', pattern: '/applications/@me', auth: true, handle: (ctx) => ok(ctx.deps.state.application()) },
  { method: 'GET', pattern: '/oauth2/applications/@me', auth: true, handle: (ctx) => ok(ctx.deps.state.application()) },
  { method: 'GET', pattern: '/guilds/:guildId', auth: true, handle: guildObject },
  { method: 'GET', pattern: '/guilds/:guildId/channels', auth: true, handle: (ctx) => ok([...guild(ctx).channels.values()]) },
  { method: 'GET', pattern: '/guilds/:guildId/roles', auth: true, handle: (ctx) => ok([...guild(ctx).roles.values()]) },
  { method: 'GET', pattern: '/guilds/:guildId/members/:userId', auth: true, handle: guildMember },
  { method: 'POST', pattern: '/interactions/:interactionId/:token/callback', auth: false, handle: interactionCallback },
  {
    method: 'POST',
    pattern: '/webhooks/:applicationId/:token',
    auth: false,
    // For interaction follow-ups `wait` is always true (documented).
    handle: (ctx) =>
      ctx.deps.interactions.followUp(param(ctx, 'applicationId'), param(ctx, 'token'), objectBody(ctx), ctx.files),
  },
  {
    method: 'GET',
    pattern: '/webhooks/:applicationId/:token/messages/:messageId',
    auth: false,
    handle: (ctx) => ctx.deps.interactions.getMessage(param(ctx, 'applicationId'), param(ctx, 'token'), param(ctx, 'messageId')),
  },
  {
    method: 'PATCH',
    pattern: '/webhooks/:applicationId/:token/messages/:messageId',
    auth: false,
    handle: (ctx) =>
      ctx.deps.interactions.editMessage(
        param(ctx, 'applicationId'),
        param(ctx, 'token'),
        param(ctx, 'messageId'),
        objectBody(ctx),
        ctx.files,
      ),
  },
  {
    method: 'DELETE',
    pattern: '/webhooks/:applicationId/:token/messages/:messageId',
    auth: false,
    handle: (ctx) => ctx.deps.interactions.deleteMessage(param(ctx, 'applicationId'), param(ctx, 'token'), param(ctx, 'messageId')),
  },
];

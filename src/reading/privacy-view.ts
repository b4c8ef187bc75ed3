import { ButtonStyle, ComponentType } from 'discord.js';
import { encodePrivacyId } from '../domain/progress/privacy-ids.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { ForgetDecision, ForgetOutcome } from './privacy.js';

const NUMBER = new Intl.NumberFormat('en-US');

/** What each table holds, in words; a table from a later feature shows under its own name. */
const TABLE_NAMES: Record<string, string> = {
  reading_events: 'reading history (opens and marks)',
  lesson_readers: 'lessons read',
  member_reading_totals: 'reading totals per server',
  member_window_totals: 'leaderboard totals for the last 7 and 30 days',
  member_settings: 'your settings (time zone, leaderboard)',
  'lesson_plans.planned_by': 'lesson plans you made (kept for the server, without your name)',
  quiz_attempts: 'quizzes you took',
  quiz_questions: 'the questions of those quizzes',
};

export function renderForgetConfirm(userId: string, expiresAt: number): ReplyPayload {
  return {
    content:
      '⚠️ **Delete everything this bot stores about you, in every server?**\n' +
      'Your reading history, lessons read, streaks, leaderboard places, quiz results and settings go, and cannot be restored. ' +
      `This button stops working <t:${expiresAt}:R>.`,
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Delete my data', custom_id: encodePrivacyId({ action: 'forget', userId, expiresAt }) },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Cancel', custom_id: encodePrivacyId({ action: 'cancel', userId, expiresAt }) },
        ],
      },
    ],
  };
}

export function renderForgotten(outcome: ForgetOutcome): ReplyPayload {
  const entries = Object.entries(outcome.deleted);
  if (entries.length === 0) return { content: '🗑️ Nothing to delete: this bot stores nothing about you.', components: [] };
  const lines = entries.map(([table, n]) => `• ${TABLE_NAMES[table] ?? table.replace(/[^a-z0-9_.]/giu, '')}: ${NUMBER.format(n)}`);
  return {
    content: `🗑️ Deleted everything stored about you (${NUMBER.format(outcome.total)} record${outcome.total === 1 ? '' : 's'}):\n${lines.join('\n')}`.slice(0, 2000),
    components: [],
  };
}

export const FORGET_CANCELLED: ReplyPayload = { content: 'Cancelled: nothing was deleted.', components: [] };

/** The confirmation's message once Delete or Cancel decided it (whichever button was pressed). */
export function renderForgetDecision(decision: ForgetDecision): ReplyPayload {
  return decision.cancelled ? FORGET_CANCELLED : renderForgotten(decision.outcome);
}

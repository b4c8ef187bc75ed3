import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from 'discord.js';
import type { StoredVocabulary } from '../db/vocabulary.js';
import { clip, EMBED_TITLE_MAX, pageFooter, safeText, safeUrl, visibleOr } from '../domain/discord-format/index.js';
import { encodeVocabularyId } from '../domain/vocabulary/custom-id.js';
import { choiceLabel, levelLine, vocabularyPages } from '../domain/vocabulary/format.js';
import { formatScore, QUIZ_MIN_QUESTIONS } from '../domain/vocabulary/quiz.js';
import { blankAllForms } from '../domain/vocabulary/sentence.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { AskedQuestion, QuizState } from './quiz-service.js';

type ButtonRow = APIActionRowComponent<APIButtonComponent>;

function button(label: string, emoji: string, customId: string, style = ButtonStyle.Secondary, disabled = false): APIButtonComponent {
  return { type: ComponentType.Button, style: style as ButtonStyle.Secondary, label, emoji: { name: emoji }, custom_id: customId, disabled };
}

/** The card's second row: Vocabulary and Quiz. */
export function vocabularyButtons(lessonId: string): ButtonRow {
  return {
    type: ComponentType.ActionRow,
    components: [
      button('Vocabulary', '📚', encodeVocabularyId({ action: 'vocab', lessonId })),
      button('Quiz', '📝', encodeVocabularyId({ action: 'quiz', lessonId })),
    ],
  };
}

function title(prefix: string, lessonTitle: string): string {
  return clip(prefix + (safeText(visibleOr(lessonTitle.replace(/\s+/gu, ' ').trim(), '')) || 'Lesson'), EMBED_TITLE_MAX);
}

/** A page (from 1) of the lesson's vocabulary; a page past the end shows the last. */
export function renderVocabulary(
  lesson: { readonly id: string; readonly title: string; readonly url: string },
  vocabulary: StoredVocabulary,
  page: number,
  shared: boolean,
): ReplyPayload {
  const pages = vocabularyPages(vocabulary.entries);
  const count = pages.length;
  const current = Math.min(Math.max(1, page), count);
  const url = safeUrl(lesson.url);
  const footer = [levelLine(vocabulary.level), ...(count > 1 ? [pageFooter(current, count)] : [])].join(' · ');
  const embed: APIEmbed = { title: title('📚 ', lesson.title), ...(url ? { url } : {}), description: pages[current - 1] ?? '', footer: { text: footer } };
  const components: APIButtonComponent[] = [];
  if (count > 1) {
    components.push(
      button('Previous', '◀️', encodeVocabularyId({ action: 'vocab-page', lessonId: lesson.id, page: Math.max(1, current - 1), shared }), ButtonStyle.Secondary, current === 1),
      button('Next', '▶️', encodeVocabularyId({ action: 'vocab-page', lessonId: lesson.id, page: Math.min(count, current + 1), shared }), ButtonStyle.Secondary, current === count),
    );
  }
  if (vocabulary.entries.length > 0) components.push(button('Quiz', '📝', encodeVocabularyId({ action: 'quiz', lessonId: lesson.id }), ButtonStyle.Primary));
  return { embeds: [embed], components: components.length > 0 ? [{ type: ComponentType.ActionRow, components }] : [] };
}

function feedbackLine(question: AskedQuestion): string {
  const answer = `**${safeText(question.answer)}**`;
  return question.correct ? `✅ Right: ${answer}.` : `❌ Not quite: you chose **${safeText(question.chosen ?? '')}**; the answer is ${answer}.`;
}

/**
 * Why a lesson has no quiz: too few words, or words enough of which none makes a fair question (a sentence showing
 * it once, wrong answers of its kind); "too few vocabulary words" beside `/lesson vocab`'s eight read as wrong.
 */
export function quizRefusal(words: number): string {
  return words < QUIZ_MIN_QUESTIONS
    ? `This lesson has too few vocabulary words for a quiz (at least ${QUIZ_MIN_QUESTIONS} are needed).`
    : `I could not make ${QUIZ_MIN_QUESTIONS} fair questions from this lesson’s ${words} words (each needs a sentence that shows it once, and wrong answers of its kind): \`/lesson vocab\` lists them.`;
}

/**
 * Where a quiz stands: after an answer, whether it was right and the answer; then the next question (the
 * sentence with its blank, and four answer buttons), or at the end the score.
 */
export function renderQuiz(lessonTitle: string, state: QuizState, answered?: AskedQuestion): ReplyPayload {
  const { attempt, current } = state;
  const total = attempt.questionCount;
  const lines: string[] = [];
  if (answered) lines.push(feedbackLine(answered), '');
  if (current === undefined) {
    const score = attempt.questions.filter((q) => q.correct === true).length;
    lines.push(`🏁 **Quiz finished: ${formatScore(score, total)}**`, '');
    for (const q of attempt.questions) lines.push(`${q.correct ? '✅' : '❌'} ${safeText(q.answer)}`);
    const embed: APIEmbed = {
      title: title('📝 Quiz · ', lessonTitle),
      description: lines.join('\n'),
      footer: { text: `Attempt ${attempt.attemptNumber} · score ${formatScore(score, total)}` },
    };
    return { embeds: [embed], components: [{ type: ComponentType.ActionRow, components: [button('Try again', '🔁', encodeVocabularyId({ action: 'quiz', lessonId: attempt.lessonId }), ButtonStyle.Primary)] }] };
  }
  lines.push(`**Question ${current.position + 1} of ${total}**: which word fits the blank?`, '', `> ${safeText(current.prompt)}`);
  const embed: APIEmbed = {
    // The title is often the lesson's lead sentence, the question's own ("…agreed to strengthen cooperation…"): the
    // answer is blanked there too, as every place of it in the prompt is, or the question showed it right above. An
    // embed's title links no web address, so a place in one is blanked as well; so is another form of the answer
    // ("Tariff war looms" above the blank of "tariffs").
    title: title('📝 Quiz · ', blankAllForms(lessonTitle, { word: current.answer, lemma: current.lemma })),
    description: lines.join('\n'),
    footer: { text: `Attempt ${attempt.attemptNumber} · only you can answer` },
  };
  const choices = current.choices.map((choice, index) =>
    button(choiceLabel(choice), ['🇦', '🇧', '🇨', '🇩'][index] ?? '▫️', encodeVocabularyId({ action: 'answer', attemptId: attempt.id, position: current.position, choice: index })),
  );
  return { embeds: [embed], components: [{ type: ComponentType.ActionRow, components: choices }] };
}

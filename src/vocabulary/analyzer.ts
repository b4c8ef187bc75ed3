import winkNLP from 'wink-nlp';
import { englishModel } from './wink-model.js';
import type { Lesson } from '../domain/lesson.js';
import type { AnalyzedLesson, AnalyzedSentence, AnalyzedToken, SentenceSource } from '../domain/vocabulary/types.js';

/** Hyphen-minus, hyphen and non-breaking hyphen: what joins the words of a compound. */
const HYPHENS = new Set(['-', '\u2010', '\u2011']);

/** Paragraphs are joined with a blank line, which wink-nlp always takes as a sentence boundary. */
const PARAGRAPH_BREAK = '\n\n';

/**
 * wink-nlp with its English lite model: sentence boundaries, part of speech (Universal Dependencies tags)
 * and lemmas. Only the `sbd` and `pos` steps run (named entities and sentiment are not needed and would
 * double the time), and the article and the dialogue are each read as one document, with the token
 * attributes taken out in bulk: about 1–2 ms for a 500-word lesson.
 */
export class LessonAnalyzer {
  private readonly nlp = winkNLP(englishModel, ['sbd', 'pos']);

  analyze(lesson: Pick<Lesson, 'article' | 'dialogue'>): AnalyzedLesson {
    const sentences: AnalyzedSentence[] = [];
    const tokens: AnalyzedToken[] = [];
    this.read(lesson.article, 'article', sentences, tokens);
    this.read(
      lesson.dialogue.map((turn) => turn.text),
      'dialogue',
      sentences,
      tokens,
    );
    return { sentences, tokens };
  }

  private read(paragraphs: readonly string[], source: SentenceSource, sentences: AnalyzedSentence[], tokens: AnalyzedToken[]): void {
    const parts = paragraphs.map((p) => p.replace(/\s*\n\s*/gu, ' ').trim()).filter((p) => p !== '');
    if (parts.length === 0) return;
    const text = parts.join(PARAGRAPH_BREAK);
    const its = this.nlp.its;
    const doc = this.nlp.readDoc(text);
    const values = doc.tokens().out() as string[];
    const types = doc.tokens().out(its.type as never) as string[];
    const tags = doc.tokens().out(its.pos as never) as string[];
    const lemmas = doc.tokens().out(its.lemma as never) as string[];
    const spaces = doc.tokens().out(its.precedingSpaces as never) as string[];
    // A word joined to a hyphen ("long-awaited", "game-changer": wink splits them) is part of a compound.
    const hyphenAt = (t: number) => HYPHENS.has(values[t] ?? '');
    const inCompound = (t: number) => (hyphenAt(t - 1) && spaces[t] === '') || (hyphenAt(t + 1) && spaces[t + 1] === '');
    const spans = doc.sentences().out(its.span as never) as unknown as [number, number][];
    const texts = doc.sentences().out() as string[];
    spans.forEach(([first, last], s) => {
      const sentenceText = (texts[s] ?? '').trim();
      // Sentences are taken word for word from the lesson; wink rebuilds them from tokens, so check.
      const exact = sentenceText !== '' && !sentenceText.includes('\n') && text.includes(sentenceText);
      const index = sentences.length;
      sentences.push({ text: exact ? sentenceText : (parts.find((p) => p.includes(values[first] ?? '')) ?? sentenceText), source });
      let initial = true;
      for (let t = first; t <= last; t += 1) {
        if (types[t] !== 'word') continue;
        const text = values[t] as string;
        // wink gives no lemma for a few tokens (a split contraction such as "cant"): the word stands for itself.
        const lemma = lemmas[t];
        tokens.push({
          text,
          lemma: typeof lemma === 'string' && lemma !== '' ? lemma : text,
          pos: tags[t] ?? 'X',
          sentence: index,
          sentenceInitial: initial,
          ...(inCompound(t) ? { inCompound: true } : {}),
        });
        initial = false;
      }
    });
  }
}

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
    // A word joined by a dot to another word, no space between ("Amazon.com", "transport.gov.uk"), is part of a
    // name, a web address without its https://: "transport" or "com" alone is not what the text says.
    // What stands between each token and the one before, read from the text (wink's precedingSpaces is '' after a
    // paragraph break too): '' where they touch. A token not found as it is counts as apart.
    const gaps: string[] = [];
    let cursor = 0;
    for (const value of values) {
      const at = text.indexOf(value, cursor);
      gaps.push(at === -1 ? ' ' : text.slice(cursor, at));
      if (at !== -1) cursor = at + value.length;
    }
    // wink keeps a paragraph break as a token of its own ("\n\n"), which touches nothing.
    const touches = (t: number) => t > 0 && gaps[t] === '' && /\S/u.test(values[t] ?? '') && /\S/u.test(values[t - 1] ?? '');
    const isWord = (t: number) => types[t] === 'word';
    const inDottedName = (t: number) =>
      (values[t + 1] === '.' && touches(t + 1) && touches(t + 2) && isWord(t + 2)) || // "transport" of "transport.gov.uk"
      (values[t - 1] === '.' && touches(t - 1) && touches(t) && isWord(t - 2)) || // "com" of "Amazon.com"
      (touches(t) && isWord(t - 1) && (values[t - 1] ?? '').endsWith('.')); // "uk" after wink's "gov."
    const inCompound = (t: number) => (hyphenAt(t - 1) && spaces[t] === '') || (hyphenAt(t + 1) && spaces[t + 1] === '') || inDottedName(t);
    // wink ends a sentence at such a dot ("Mr. Smith met Amazon." / "com staff."): a sentence that starts with no
    // space after the one before is the same sentence, so the example and the quiz's prompt are not cut in a name.
    const spans: [number, number][] = [];
    const texts: string[] = [];
    const wholeSpans = doc.sentences().out(its.span as never) as unknown as [number, number][];
    const wholeTexts = doc.sentences().out() as string[];
    wholeSpans.forEach(([first, last], s) => {
      const previous = spans.at(-1);
      if (previous !== undefined && touches(first)) {
        previous[1] = last;
        texts[texts.length - 1] += wholeTexts[s] ?? '';
      } else {
        spans.push([first, last]);
        texts.push(wholeTexts[s] ?? '');
      }
    });
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

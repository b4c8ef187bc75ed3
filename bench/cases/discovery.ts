/** Related readings, search and autocomplete (issue 9), and the import-time title matcher. */
import { performance } from 'node:perf_hooks';
import { relatedReadings } from '../../src/discovery/related.js';
import { searchLibrary, suggestLessons } from '../../src/discovery/search.js';
import { MATCH_THRESHOLD, scoreSimilarReading } from '../../src/discovery/similar-readings.js';
import { BENCH_GUILD } from '../library-generator.js';
import type { BenchCase } from '../runner.js';
import { emit, latencyLine, summarize } from '../stats.js';

export const discoveryCases: BenchCase[] = [
  {
    name: 'related',
    description: 'related readings of a random lesson, with read marks for one member',
    async run(context) {
      for (const target of context.targets) {
        const { database, library, lessons } = await context.library(target);
        const ids = library.ids;
        const member = { guildId: BENCH_GUILD, userId: 'u1' };
        const samples = await context.time((i) => relatedReadings(database.db, ids[(i * 7919) % ids.length] as string, member));
        emit(latencyLine('related', { database: target.kind, lessons }, samples, await context.baseline(target)));
      }
    },
  },
  {
    name: 'search',
    description: '/lesson search, first page, for two words about one lesson',
    async run(context) {
      for (const target of context.targets) {
        const { database, library, lessons } = await context.library(target);
        const queries = library.searchQueries;
        const samples = await context.time((i) => searchLibrary(database.db, queries[i % queries.length] as string));
        emit(latencyLine('search', { database: target.kind, lessons, page: 1 }, samples, await context.baseline(target)));
      }
    },
  },
  {
    name: 'search-common',
    description: '/lesson search for a word in a third of the titles and summaries ("said", "sai"), pages 1, 2 and 40',
    async run(context) {
      const queries = ['said', 'sai'];
      const pages = [1, 2, 40];
      for (const target of context.targets) {
        const { database, lessons } = await context.library(target);
        const samples = await context.time((i) =>
          searchLibrary(database.db, queries[i % queries.length] as string, { page: pages[Math.floor(i / queries.length) % pages.length] as number }),
        );
        emit(latencyLine('search-common', { database: target.kind, lessons, pages: pages.join(',') }, samples, await context.baseline(target)));
      }
    },
  },
  {
    name: 'autocomplete',
    description: 'the lesson option autocomplete for what a member types (a word start, or a word and a start)',
    async run(context) {
      for (const target of context.targets) {
        const { database, library, lessons } = await context.library(target);
        const inputs = library.autocompleteInputs;
        const samples = await context.time((i) => suggestLessons(database.db, inputs[i % inputs.length] as string));
        emit(latencyLine('autocomplete', { database: target.kind, lessons }, samples, await context.baseline(target)));
      }
    },
  },
  {
    name: 'matching',
    description: 'import-time matching of similar-reading titles: time per title, and precision/recall against the generator',
    async run(context) {
      for (const target of context.targets) {
        const { database, library, lessons } = await context.library(target);
        const sample = Math.min(context.runs, 200);
        const results: { truth: string | null; best: string | undefined; score: number }[] = [];
        const samples: number[] = [];
        for (let i = 0; i < sample; i++) {
          const readings = library.similarReadings((i * 104729) % lessons);
          const reading = readings[i % readings.length];
          if (!reading) continue;
          const started = performance.now();
          const best = await scoreSimilarReading(database.db, reading.title, reading.lessonId);
          samples.push(performance.now() - started);
          results.push({ truth: reading.namesLessonId, best: best?.lessonId, score: best?.score ?? 0 });
        }
        const at = (threshold: number) => {
          const accepted = results.filter((r) => r.score >= threshold);
          const named = results.filter((r) => r.truth !== null);
          return {
            threshold,
            precision: round(accepted.filter((r) => r.best === r.truth).length / Math.max(1, accepted.length)),
            recall: round(named.filter((r) => r.score >= threshold && r.best === r.truth).length / Math.max(1, named.length)),
            false_matches_of_absent: results.filter((r) => r.truth === null && r.score >= threshold).length,
          };
        };
        emit({
          bench: 'matching',
          database: target.kind,
          lessons,
          titles: results.length,
          titles_naming_absent_articles: results.filter((r) => r.truth === null).length,
          ...summarize(samples),
          threshold_chosen: MATCH_THRESHOLD,
          at_thresholds: [0.4, 0.5, 0.6, MATCH_THRESHOLD, 0.7, 0.8].map(at),
        });
      }
    },
  },
];

const round = (value: number) => Math.round(value * 1000) / 1000;

// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/*
 * The layers (README, Architecture), kept by no-restricted-imports. ESLint does not merge one rule's
 * options across config blocks, so each folder gets one block listing every wall that applies to it.
 * test/lint/layers.test.ts proves each wall stops an import.
 */
const wall = (/** @type {string} */ regex, /** @type {string} */ message) => ({ regex, message });
const noDatabase = wall('(^|/)db/|^kysely$|^pg$|^@electric-sql/', 'Only feature services (src/<feature>/) call src/db/; go through a service.');
const noCommands = wall('(^|/)commands/', 'Services and the adapter never import command modules; commands call services, not the other way round.');
const noDiscord = wall('^discord\\.js$|^@discordjs/|(^|/)discord/', 'src/db/ knows nothing of Discord: return domain types and let services and views shape messages.');
const noIo = wall(
  '^(node:)?(fs|fs/promises|net|http|https|child_process|dgram|dns|tls|worker_threads)$|^discord\\.js$|^@discordjs/|^kysely$|^pg$|^@electric-sql/|^node-cron$|^pino$|^prom-client$|(^|/)(db|discord|lessons|delivery|reading|discovery|vocabulary|playground|local-discord|operations|cli)/|(^|/)(config|logger|metrics|services|main)\\.js$',
  'src/domain/ is pure: no I/O, no database, no Discord, no services. Pass values in, return values.',
);
const features = ['lessons', 'delivery', 'reading', 'discovery', 'vocabulary', 'playground', 'local-discord', 'operations'];
/** @param {...{ regex: string, message: string }} patterns @returns {import('eslint').Linter.RulesRecord} */
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // Command modules: parse, call a service, render, reply. Never a query.
  { files: ['commands/**/*.ts'], rules: restrict(noDatabase) },
  // Queries: no Discord, and nothing above them.
  { files: ['src/db/**/*.ts'], rules: restrict(noDiscord, noCommands) },
  // Domain code stays pure.
  { files: ['src/domain/**/*.ts'], rules: restrict(noIo, noCommands) },
  // The Discord adapter knows no SQL and no particular command.
  { files: ['src/discord/**/*.ts'], rules: restrict(noDatabase, noCommands) },
  // Feature services (and the composition of them) never reach up into commands.
  { files: [...features.map((feature) => `src/${feature}/**/*.ts`), 'src/services.ts'], rules: restrict(noCommands) },
  {
    // The playground's page: plain ES modules run by the browser as they are (no build step).
    files: ['src/playground/web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Migrations are frozen in time: they never import the application's code.
    files: ['migrations/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../src/*', '../src/**'] }],
    },
  },
);

// One lint configuration for the whole workspace.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/data/**', '**/.data/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['client/*/src/**/*.ts', 'sync/*/src/**/*.ts', 'shared/src/**/*.ts'],
    rules: { 'no-console': ['error', { allow: ['error', 'warn'] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  // Import boundaries the folder tree promises; a violation fails `pnpm lint` (and CI).
  {
    files: ['sync/web/src/**/*.{ts,tsx}', 'client/web/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/agent/src/**', '**/api/src/**', '@meterit/sync-agent', '@meterit/client-api'],
              message: 'A web app imports the wire shapes from @meterit/shared, never a server package.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['sync/agent/src/local-api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/bacnet/**', '**/collector/collector.js'],
              message: 'The local API reaches the site through the agent, never the BACnet adapter or the collector.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['sync/agent/src/collector/**/*.ts', 'sync/agent/src/queue/**/*.ts', 'sync/agent/src/uploader/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local-api/**', '../agent.js'],
              message: 'The pipeline (collector, queue, uploader) knows nothing of HTTP or of the composition root.',
            },
          ],
        },
      ],
    },
  },
  {
    // Middleware is shared by every component and knows none of them (it takes what it needs as small interfaces).
    files: ['client/api/src/middleware/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/components/**'], message: 'Middleware must not import a component; take an interface.' },
          ],
        },
      ],
    },
  },
  // Formatting is Prettier's job (`pnpm format`, checked by `pnpm lint`): no style rules here.
  prettier,
);

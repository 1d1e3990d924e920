// One lint configuration for the whole workspace.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

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
  // No import cycles anywhere in the workspace (type-only imports have no runtime effect and are not followed).
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      // Follow TypeScript sources too (the plugin's default is .js only).
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['shared/tsconfig.json', 'proof/tsconfig.json', 'client/*/tsconfig.json', 'sync/*/tsconfig.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
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
    // The local API (HTTP, MCP, metrics) is an adapter over the site's two ports (site/ports.ts) and the pure
    // health rules; it never reaches the runtime or the pipeline's parts.
    files: ['sync/agent/src/local-api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/site/*',
                '!**/site/ports.js',
                '**/bacnet/**',
                '**/meters/**',
                '**/collector/**',
                '**/queue/**',
                '**/uploader/**',
                '**/db/**',
                '**/mcp-audit/**',
                '**/main.js',
              ],
              message:
                'The local API depends on the site only through site/ports.ts (SiteReadModel, SiteControl), never on the runtime, collector, queue, uploader or database.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'sync/agent/src/collector/**/*.ts',
      'sync/agent/src/queue/**/*.ts',
      'sync/agent/src/uploader/**/*.ts',
      'sync/agent/src/health/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local-api/**', '**/site/site-runtime.js', '**/main.js'],
              message:
                'The pipeline (collector, queue, uploader) and the health rules know nothing of HTTP, of the runtime that composes them, or of the composition root (main.ts).',
            },
            {
              // collector ↛ meters/<protocol>: meters/protocol.ts (the port) and meters/registry.ts are its way in.
              group: ['**/meters/*/**', '**/bacnet/**'],
              message:
                'The pipeline reads meters through the MeterProtocol port (meters/protocol.ts) and the registry, never a protocol folder.',
            },
          ],
        },
      ],
    },
  },
  {
    // A meter protocol's library stays inside its folder (meters/bacnet/ for @bacnet-js/client). A rule of
    // its own name, so that the folder rules above (no-restricted-imports) do not replace it.
    files: ['sync/agent/**/*.ts'],
    ignores: ['sync/agent/src/meters/bacnet/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@bacnet-js/client',
              message: 'Only sync/agent/src/meters/bacnet/ imports the BACnet library; use the MeterProtocol port.',
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

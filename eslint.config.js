// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Module directions of DESIGN.md: modules talk through src/core; only src/cli picks implementations;
 * store/, spawners/ and proxy/ never import each other.
 */
const forbid = (/** @type {string[]} */ groups, /** @type {string} */ message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'nbhub-data/**', 'bench/**/*.js', 'bench/**/*.mjs', 'bin/**', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  { files: ['src/core/**'], rules: forbid(['../*', '!../core/*'], 'src/core holds only interfaces and shared types; it imports no module.') },
  { files: ['src/store/**'], rules: forbid(['**/spawners/**', '**/proxy/**', '**/lifecycle/**', '**/api/**', '**/cli/**', '**/hub/**'], 'store/ depends only on core/.') },
  { files: ['src/spawners/**'], rules: forbid(['**/store/**', '**/proxy/**', '**/lifecycle/**', '**/api/**', '**/cli/**', '**/hub/**'], 'spawners/ depend only on core/ and config types.') },
  { files: ['src/proxy/**'], rules: forbid(['**/store/**', '**/spawners/**', '**/lifecycle/**', '**/api/**', '**/cli/**', '**/hub/**'], 'proxy/ reaches the rest through core interfaces (RouteTable, IdentityResolver).') },
  { files: ['src/lifecycle/**'], rules: forbid(['**/store/*/**', '**/spawners/**', '**/proxy/**', '**/api/**', '**/cli/**', '**/hub/**'], 'lifecycle/ uses the Store and Spawner interfaces, never an implementation.') },
  { files: ['src/api/**', 'src/accounts/**', 'src/hub/**'], rules: forbid(['**/store/sqlite/**', '**/store/postgres/**', '**/spawners/**', '**/cli/**'], 'Only src/cli picks concrete implementations.') },
);

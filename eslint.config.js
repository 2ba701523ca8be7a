// @ts-check
import tseslint from 'typescript-eslint';

/**
 * Module directions of DESIGN.md: modules talk through src/core; only src/cli picks implementations;
 * store/, spawners/ and proxy/ never import each other.
 */
const forbid = (/** @type {string[]} */ groups, /** @type {string} */ message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});


/**
 * Only src/cli builds implementations (DESIGN.md; CONVENTIONS: hono's hono.ts only chooses): elsewhere they
 * may be imported as types, never as values, so nothing else can `new` one or call its factory. Tests,
 * contract suites and testing helpers build what they test.
 */
const IMPLEMENTATIONS = [
  ['**/accounts/identity-resolver.js', ['CachedIdentityResolver']],
  ['**/accounts/oidc/login.js', ['OidcLoginService']],
  ['**/agent/agent.js', ['Agent']],
  ['**/agent/insides.js', ['RuntimeInsides']],
  ['**/agent/log/event-log.js', ['EventLog']],
  ['**/agent/worker-sweeper.js', ['WorkerSweeper']],
  ['**/agent/sweep.js', ['inlineSweeper', 'SweepCore']],
  ['**/agent/hub-client.js', ['HubClient']],
  ['**/agent/local-source.js', ['LocalEventSource']],
  ['**/agent/local-door.js', ['inProcessDoor']],
  ['**/agent/http-server.js', ['createAgentServer']],
  ['**/monitor/monitor.js', ['Monitor']],
  ['**/monitor/agent-client.js', ['HttpAgentClient']],
  ['**/monitor/remote-door.js', ['RemoteProcessDoor']],
  ['**/hub/heartbeat.js', ['Heartbeat']],
  ['**/executions/recorder.js', ['ExecutionRecorder']],
  ['**/executions/notebooks.js', ['RuntimeNotebooks']],
  ['**/culler/culler.js', ['Culler']],
  ['**/culler/probe.js', ['ActivityProbe']],
  ['**/culler/sampling.js', ['SamplingWatch']],
  ['**/lifecycle/lifecycle.js', ['createLifecycle']],
  ['**/proxy/proxy.js', ['createProxy']],
  ['**/apps/supervisor.js', ['AppSupervisor']],
  ['**/runtime-api/client.js', ['HttpRuntimeClient']],
  ['**/spawners/local/local-spawner.js', ['LocalSpawner']],
  ['**/spawners/local/process-runner.js', ['LocalProcessRunner']],
  ['**/services/services.js', ['createServices']],
  ['**/proxy/services.js', ['createServiceProxy']],
  ['**/logs/ship/gelf-udp.js', ['GelfUdpSink']],
  ['**/logs/ship/gelf-tcp.js', ['GelfTcpSink']],
  ['**/logs/ship/loki.js', ['LokiSink']],
  ['**/logs/ship/shipper.js', ['Shipper']],
  ['**/logs/ship/shipping.js', ['LogShipping']],
  ['**/objects/s3-store.js', ['S3ObjectStore']],
  ['**/jobs/master.js', ['HttpSparkMaster']],
  ['**/jobs/service.js', ['SparkJobService']],
  ['**/accounts/authenticators/ldap.js', ['ldapAuthenticator']],
  ['**/accounts/login-throttle.js', ['LoginThrottle']],
  ['**/accounts/throttled-authenticator.js', ['throttledAuthenticator']],
];
const builtOnlyInCli = IMPLEMENTATIONS.map(([group, importNames]) => ({
  group: [group],
  importNames,
  allowTypeImports: true,
  message: 'Only src/cli builds implementations (cli/compose/): receive the interface instead.',
}));
const procfsOnlyInAgent = { group: ['**/procfs/**'], message: 'Only the agent (and the local spawner, for its own children) reads /proc: ask the ProcessDoor.' };
const noProcPaths = [
  { selector: 'Literal[value=/^\\/proc(\\/|$)/]', message: 'Only src/agent and src/procfs read /proc: ask the ProcessDoor.' },
  { selector: 'TemplateElement[value.raw=/^\\/proc(\\/|$)/]', message: 'Only src/agent and src/procfs read /proc: ask the ProcessDoor.' },
];
const noRuntimeApiPaths = [
  { selector: 'Literal[value=/(^|\\/)api\\/(kernels|sessions|status|contents)\\b/]', message: 'A runtime’s own REST API is called only through the RuntimeClient (src/runtime-api).' },
  { selector: 'TemplateElement[value.raw=/(^|\\/)api\\/(kernels|sessions|status|contents)\\b/]', message: 'A runtime’s own REST API is called only through the RuntimeClient (src/runtime-api).' },
];
const TEST_FILES = ['**/*.test.ts', '**/*.contract.ts', '**/testing.ts', 'test/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'web/dist/**', 'node_modules/**', 'nbhub-data/**', 'bench/**/*.js', 'bench/**/*.mjs', 'test/helpers/**/*.mjs', 'test/kube/**/*.mjs', 'bin/**', 'eslint.config.js'] },
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
  {
    files: ['src/culler/**'],
    rules: forbid(
      ['**/store/**', '**/spawners/**', '**/proxy/**', '**/lifecycle/**', '**/monitor/**', '**/api/**', '**/cli/**', '**/hub/**'],
      'culler/ decides from core interfaces (CullTarget, RuntimeDirectory, UsageSource); lifecycle/ acts on its verdicts.',
    ),
  },
  {
    // The pure decisions take plain values (activity, policy, now): no I/O. Later rules replace earlier ones, so the list is whole.
    files: ['src/culler/decide.ts', 'src/culler/kernels.ts', 'src/culler/evidence.ts', 'src/culler/cpu.ts', 'src/culler/policy.ts'],
    rules: forbid(
      ['**/store/**', '**/spawners/**', '**/proxy/**', '**/lifecycle/**', '**/monitor/**', '**/api/**', '**/cli/**', '**/hub/**', '**/agent/**', 'node:*'],
      'The culling decisions are pure: they take activity, policy and now as values.',
    ),
  },
  { files: ['src/apps/**'], rules: forbid(['**/store/**', '**/spawners/**', '**/proxy/**', '**/lifecycle/**', '**/api/**', '**/cli/**', '**/hub/**', '**/agent/**', '**/monitor/**'], 'apps/ supervises named apps through core interfaces (AppLauncher, AppRuntimes, the Spawner\'s handle methods).') },
  { files: ['src/lifecycle/**'], rules: forbid(['**/store/*/**', '**/spawners/**', '**/proxy/**', '**/api/**', '**/cli/**', '**/hub/**', '**/culler/**'], 'lifecycle/ uses the Store and Spawner interfaces, never an implementation; the culler reaches it through CullTarget.') },
  {
    files: ['src/executions/**'],
    rules: forbid(
      ['**/store/**', '**/spawners/**', '**/proxy/**', '**/lifecycle/**', '**/culler/**', '**/api/**', '**/cli/**', '**/hub/**'],
      'executions/ is fed through core interfaces (KernelTap, Store, RuntimeDirectory); the hub wires it, it reaches no store, proxy or API code.',
    ),
  },
  {
    files: ['src/agent/**'],
    rules: forbid(['**/store/**', '**/monitor/**', '**/lifecycle/**', '**/spawners/**', '**/proxy/**', '**/api/**', '**/cli/**', '**/hub/**'], 'agent/ runs apart from the hub (nbhub agent): it depends only on core/ and procfs/, and reaches the hub through its API.'),
  },
  {
    // The client for a runtime's own API: used by the agent (apart from the hub) and the hub alike, so it stands on core/ only.
    files: ['src/runtime-api/**'],
    ignores: ['src/runtime-api/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(?!core/)', message: 'runtime-api/ depends only on core/: the agent and the hub both use it.' }] }] },
  },
  {
    files: ['src/services/**'],
    rules: forbid(['**/store/**', '**/spawners/**', '**/proxy/**', '**/lifecycle/**', '**/api/**', '**/cli/**', '**/hub/**'], 'services/ runs its processes through the ProcessRunner interface (core/services.ts); src/cli picks the local one.'),
  },
  {
    files: ['src/monitor/**'],
    ignores: ['src/monitor/**/*.test.ts'],
    rules: forbid(['**/store/**', '**/agent/**', '**/lifecycle/**', '**/spawners/**', '**/proxy/**', '**/api/**', '**/cli/**', '**/hub/**'], 'monitor/ reads agents through EventSource and writes through the Store interface (core/).'),
  },
  { files: ['src/api/**', 'src/accounts/**', 'src/hub/**'], rules: forbid(['**/store/sqlite/**', '**/store/postgres/**', '**/spawners/**', '**/cli/**'], 'Only src/cli picks concrete implementations.') },
  {
    // ApiContext holds core interfaces only: no route reaches the lifecycle, the monitor or the identity cache as a class. The list is whole (it replaces the one above).
    files: ['src/api/**'],
    rules: forbid(
      ['**/store/sqlite/**', '**/store/postgres/**', '**/spawners/**', '**/cli/**', '**/hub/**', '**/lifecycle/**', '**/monitor/monitor.js', '**/accounts/identity-resolver.js'],
      'api/ reaches the rest through the interfaces in ApiContext (src/core); only src/cli picks concrete implementations.',
    ),
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', ...TEST_FILES],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...builtOnlyInCli, procfsOnlyInAgent] }] },
  },
  {
    // The agent and the local spawner (which manages the processes it started) read /proc; they too receive what they use.
    files: ['src/agent/**', 'src/procfs/**', 'src/spawners/local/**'],
    ignores: ['src/agent/sweep-worker.ts', ...TEST_FILES],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: builtOnlyInCli }] },
  },
  {
    // The sweep worker is a thread's entry point: it builds its own sweeper, as src/cli does for the process.
    files: ['src/agent/sweep-worker.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // One door to a runtime's processes (issue 14): only the agent and the /proc reader read /proc or signal a pid.
    files: ['src/**/*.ts'],
    ignores: ['src/agent/**', 'src/procfs/**', ...TEST_FILES],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'kill', message: 'Signal a runtime’s process through the ProcessDoor (src/core/process-door.ts); only the agent signals.' }],
      'no-restricted-syntax': ['error', ...noProcPaths, ...noRuntimeApiPaths],
    },
  },
  { files: ['src/runtime-api/**'], ignores: TEST_FILES, rules: { 'no-restricted-syntax': ['error', ...noProcPaths] } },
);

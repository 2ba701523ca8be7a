import type { SpawnerHandle } from './spawner.js';

/**
 * Web apps inside a runtime (issue 18): a port the runtime's own processes listen on
 * (`/user/{name}/{server}/proxy/{port}/`), or a named app a profile declares
 * (`/user/{name}/{server}/apps/{app}/`), which the hub starts on first visit and keeps running.
 */

/** Where the proxy sends an app's traffic, and how. */
export interface AppUpstream {
  /** Origin reached, e.g. http://127.0.0.1:41234 (a pod's IP on Kubernetes). */
  target: string;
  /** Whether the app sees its path with the hub's prefix taken off (`/`) or as the browser sent it. */
  stripPrefix: boolean;
}

/**
 * Which ports of a runtime the proxy may reach. Local runtimes share the machine's address space, so a port is
 * the runtime's only while one of its own processes listens on it (anything else on 127.0.0.1 is not the
 * user's); a pod's IP is its own, so any port of it is.
 */
export interface RuntimePorts {
  /** The origin for `port` of that runtime, or null when the runtime does not listen there (or does not run). */
  portTarget(user: string, server: string, port: number): Promise<string | null>;
}

export type AppState = 'stopped' | 'starting' | 'running' | 'failed';

/** One named app of a runtime, as the API and the console show it. */
export interface AppStatus {
  name: string;
  title: string;
  /** URL of an icon (or empty). */
  icon: string;
  state: AppState;
  /** Path on the hub where it is reached, e.g. /user/alice/apps/board/ */
  url: string;
  /** Why it failed or what it waits for, for the person reading. */
  message: string | null;
  /** Times it was started again after dying by itself, since the runtime started. */
  restarts: number;
}

/**
 * Who asks for a named app. `visit`: a person (a top-level page navigation to its URL, the console's Start);
 * `background`: the traffic of a page already open (its WebSocket reconnecting, its fetches and polling), which
 * must not bring back an app its user stopped.
 */
export type AppIntent = 'visit' | 'background';

/**
 * The named apps of the runtimes: started on demand, restarted when they die, stopped with their runtime.
 * Callers (the API, the proxy) check who may act; the directory checks what the runtime is.
 */
export interface AppDirectory {
  /** The apps of the runtime's profile with their state; undefined when the runtime is not running. */
  list(user: string, server: string): Promise<AppStatus[] | undefined>;
  /**
   * The app's upstream, starting it when it does not run and waiting until it answers its readiness path.
   * After an explicit stop, only a `visit` starts it again (and ends the stop); `background` traffic is refused.
   * Throws HubError: NOT_FOUND (no such app in the runtime's profile), CONFLICT (the runtime is not running),
   * UNAVAILABLE (it did not start, the message says why with the end of its output; or it was stopped on
   * purpose and this is background traffic, the message says how to start it).
   */
  ensure(user: string, server: string, app: string, o: { intent: AppIntent }): Promise<AppUpstream>;
  /**
   * Stops the app on purpose: it stays stopped until a `visit` (its page opened again, the console's Start) or
   * its runtime's next start. Throws NOT_FOUND and CONFLICT as ensure does.
   */
  stop(user: string, server: string, app: string): Promise<void>;
}

/** A running runtime as its named apps need it: the spawner's handle (apps run beside it) and its profile. */
export interface AppRuntime {
  profile: string;
  handle: SpawnerHandle;
  /** When this start of the runtime began: a runtime started again is another one, with apps of its own. */
  started: number;
}

/** Which runtimes run now, with their handles (the lifecycle's server directory answers). */
export interface AppRuntimes {
  runtimeOf(user: string, server: string): AppRuntime | undefined;
}

/** A named app as the spawner launches it inside a runtime. */
export interface AppLaunchSpec {
  user: string;
  server: string;
  app: string;
  /** The runtime's profile: the app gets the runtime's environment (the profile's included). */
  profile: string;
  /** Command with the placeholders {port} and {base_url}, which the launcher fills (it picks the port). */
  command: string[];
  /** Added to the runtime's environment; values take the same placeholders. */
  environment: Record<string, string>;
  /** Path prefix the app is reached at through the hub, e.g. /user/alice/apps/board/ */
  baseUrl: string;
}

export interface AppLaunched {
  /** Like a runtime's: poll, stop and logTail take it. */
  handle: SpawnerHandle;
  target: string;
}

/** What a spawner offers for named apps: one more process (or container) in the runtime's own place. */
export interface AppLauncher {
  /**
   * Starts the app beside the runtime (same workspace, environment and markers) and returns once it exists;
   * readiness is awaited by the caller. Stopping the runtime stops its apps too.
   */
  startApp(runtime: SpawnerHandle, spec: AppLaunchSpec, signal: AbortSignal): Promise<AppLaunched>;
  /** The app launched earlier for this runtime, when it still runs (a restarted hub adopts it); else null. */
  findApp(runtime: SpawnerHandle, spec: Pick<AppLaunchSpec, 'user' | 'server' | 'app'>): Promise<AppLaunched | null>;
}

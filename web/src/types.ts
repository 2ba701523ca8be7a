/** The parts of the hub's API models (JupyterHub's, with nbhub's fields under `nbhub`) the console reads. */
export type RuntimeState = 'stopped' | 'pending' | 'running' | 'stopping' | 'failed';

export interface ServerModel {
  /** '' is the default server. */
  name: string;
  ready: boolean;
  pending: 'spawn' | 'stop' | null;
  stopped: boolean;
  url: string;
  started: string | null;
  last_activity: string | null;
  user_options: Record<string, unknown>;
  nbhub: {
    state: RuntimeState;
    profile: string;
    stop_reason: string | null;
    stopped_at: string | null;
    requested_by: string | null;
    exit_status: number | null;
    log_tail: string | null;
    message: string | null;
  };
}

export interface UserModel {
  name: string;
  admin: boolean;
  last_activity: string | null;
  servers: Record<string, ServerModel>;
}

export interface UserPage {
  items: UserModel[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number; limit: number } | null };
}

export interface Profile {
  name: string;
  display_name: string;
  error?: string;
}

export interface LoginResult {
  name: string;
  admin: boolean;
  next: string;
}

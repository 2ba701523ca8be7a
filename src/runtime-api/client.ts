import {
  RuntimeApiError,
  type KernelAction,
  type KernelActionResult,
  type KernelLabels,
  type RuntimeClient,
  type RuntimeEndpoint,
  type RuntimeKernel,
  type RuntimeSession,
  type RuntimeStatus,
} from '../core/runtime-client.js';
import { exchange, type RuntimeAnswer } from './http.js';
import { labelsByKernel } from './labels.js';
import { parseCellIds, parseKernel, parseList, parseSession, parseStatus } from './models.js';

export interface RuntimeClientOptions {
  /** Deadline of a look (GET), ms. */
  lookTimeoutMs?: number;
  /** Deadline of a kernel action, ms: a restart waits for the new kernel. */
  actionTimeoutMs?: number;
}

const kernelPath = (id: string) => `api/kernels/${encodeURIComponent(id)}`;
const filePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

const refused = (method: string, path: string, res: RuntimeAnswer) =>
  new RuntimeApiError('status', res.status, `The runtime answered ${res.status} to ${method} ${path.replace(/\?.*/, '')}`);

/** A runtime's Jupyter REST API over HTTP (jupyter_server 2.x and 1.x, the classic notebook's server). */
export class HttpRuntimeClient implements RuntimeClient {
  private readonly lookMs: number;
  private readonly actionMs: number;

  constructor(o: RuntimeClientOptions = {}) {
    this.lookMs = o.lookTimeoutMs ?? 3000;
    this.actionMs = o.actionTimeoutMs ?? 30_000;
  }

  /** A GET whose 200 answer is parsed; any other status is refused. */
  private async look<T>(rt: RuntimeEndpoint, path: string, parse: (body: unknown) => T): Promise<T> {
    const res = await exchange(rt, 'GET', path, this.lookMs);
    if (res.status !== 200) throw refused('GET', path, res);
    return parse(res.body);
  }

  sessions(rt: RuntimeEndpoint): Promise<RuntimeSession[]> {
    return this.look(rt, 'api/sessions', (b) => parseList(b, parseSession, 'sessions'));
  }

  kernels(rt: RuntimeEndpoint): Promise<RuntimeKernel[]> {
    return this.look(rt, 'api/kernels', (b) => parseList(b, parseKernel, 'kernels'));
  }

  async kernel(rt: RuntimeEndpoint, id: string): Promise<RuntimeKernel | null> {
    const path = kernelPath(id);
    const res = await exchange(rt, 'GET', path, this.lookMs);
    if (res.status === 404) return null;
    if (res.status !== 200) throw refused('GET', path, res);
    return parseKernel(res.body);
  }

  status(rt: RuntimeEndpoint): Promise<RuntimeStatus> {
    return this.look(rt, 'api/status', parseStatus);
  }

  async labelsByKernel(rt: RuntimeEndpoint): Promise<KernelLabels> {
    return labelsByKernel(await this.sessions(rt));
  }

  cellIds(rt: RuntimeEndpoint, notebook: string): Promise<ReadonlySet<string>> {
    return this.look(rt, `api/contents/${filePath(notebook)}?type=notebook&content=1`, parseCellIds);
  }

  async act(rt: RuntimeEndpoint, id: string, action: KernelAction): Promise<KernelActionResult> {
    const [method, path] = action === 'shutdown' ? (['DELETE', kernelPath(id)] as const) : (['POST', `${kernelPath(id)}/${action}`] as const);
    const res = await exchange(rt, method, path, this.actionMs);
    if (res.status === 404) return 'no-such-kernel';
    if (res.status < 300) return 'done';
    // jupyter_server answers 500, not 404, to restarting a kernel it does not have (2.x and 1.23 alike).
    if (action === 'restart' && (await this.kernel(rt, id).catch(() => undefined)) === null) return 'no-such-kernel';
    throw refused(method, path, res);
  }
}

import { eventSourceContract } from './event-source.contract.js';
import { LocalEventSource } from './local-source.js';

eventSourceContract('in-process agent', async (f) => ({ source: new LocalEventSource(f.agent), close: async () => undefined }));

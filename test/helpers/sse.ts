/**
 * Reads a text/event-stream answer until the server closes it, parsing each event's `data:` lines as JSON;
 * `onEvent` sees each event as it arrives (a test can look at the server then). Returns every event.
 */
export const readSseJson = async <T>(res: Response, onEvent?: (e: T) => Promise<void> | void): Promise<T[]> => {
  const events: T[] = [];
  if (!res.ok || !res.body) return events;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const data = buf
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      buf = buf.slice(end + 2);
      if (data === '') continue;
      const e = JSON.parse(data) as T;
      events.push(e);
      await onEvent?.(e);
    }
  }
  return events;
};

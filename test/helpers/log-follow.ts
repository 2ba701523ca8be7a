/** Reads a logs route's follow=1 answer (text/event-stream), collecting each line's text, until stopped. */
export const followLogLines = async (res: Response, onLine: (line: string) => void): Promise<void> => {
  const reader = res.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) !== -1) {
      const event = buf.slice(0, end);
      buf = buf.slice(end + 2);
      if (event.startsWith('data: ')) onLine((JSON.parse(event.slice('data: '.length)) as { line: string }).line);
    }
  }
};

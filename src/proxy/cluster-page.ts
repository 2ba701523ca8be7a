const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** What a browser sees at a cluster that is not running: its state, its failure, and the way to the console. */
export const clusterDownPage = (name: string, message: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Cluster ${esc(name)} is not running</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:4rem auto;color:#222}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}</style></head>
<body><h1>Cluster ${esc(name)} is not running</h1><pre>${esc(message)}</pre>
<p><a href="/hub/clusters">The clusters in the console</a></p></body></html>`;

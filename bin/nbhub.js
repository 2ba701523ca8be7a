#!/usr/bin/env -S node --max-semi-space-size=2
// The small young generation keeps the hub's memory near 100 MB (measured in bench/memory: 104 MB with ten
// runtimes, 130 MB with V8's default); the throughput cost is within the noise of bench/proxy-http.
// Thin launcher: the compiled CLI lives in dist/ (npm run build).
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

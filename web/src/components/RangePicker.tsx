import { useState } from 'preact/hooks';
import { fromLocalInput, PRESETS, resolveRange, toLocalInput, type UsageRange } from '../usageRange.js';

/** Last hour / day / 7 days / 30 days, or a custom from–to in local time. */
export const RangePicker = (p: { range: UsageRange; onChange: (r: UsageRange) => void }) => {
  const current = resolveRange(p.range);
  const [custom, setCustom] = useState(!('preset' in p.range));
  const [from, setFrom] = useState(toLocalInput(current.from));
  const [to, setTo] = useState(toLocalInput(current.to));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const apply = (e: Event) => {
    e.preventDefault();
    const f = fromLocalInput(from);
    const t = fromLocalInput(to);
    if (f === undefined || t === undefined) return setProblem('Enter both dates and times.');
    if (f >= t) return setProblem('The start must be before the end.');
    setProblem(undefined);
    p.onChange({ from: f, to: t });
  };
  return (
    <div class="range" data-testid="usage-range">
      <div class="segmented" role="group" aria-label="Time range">
        {PRESETS.map((r) => (
          <button
            key={r.key}
            type="button"
            data-testid={`range-${r.key}`}
            aria-pressed={'preset' in p.range && p.range.preset === r.key}
            onClick={() => {
              setCustom(false);
              p.onChange({ preset: r.key });
            }}
          >
            {r.label}
          </button>
        ))}
        <button type="button" data-testid="range-custom" aria-pressed={custom} onClick={() => setCustom(true)}>
          Custom
        </button>
      </div>
      {custom && (
        <form class="inline-form" onSubmit={apply}>
          <label>
            From <input type="datetime-local" data-testid="range-from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </label>
          <label>
            To <input type="datetime-local" data-testid="range-to" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <button type="submit" data-testid="range-apply">
            Show
          </button>
          {problem && (
            <p class="error" role="alert" data-testid="range-error">
              {problem}
            </p>
          )}
        </form>
      )}
    </div>
  );
};

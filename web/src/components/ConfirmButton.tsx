import { useState } from 'preact/hooks';

/** A destructive button that asks once more in place (no browser dialog), then runs `onConfirm`. */
export const ConfirmButton = (p: { label: string; question: string; testid: string; disabled?: boolean; onConfirm: () => void }) => {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="danger" data-testid={p.testid} disabled={p.disabled} onClick={() => setAsking(true)}>
        {p.label}
      </button>
    );
  return (
    <span class="confirm" data-testid={`${p.testid}-question`}>
      {p.question}{' '}
      <button
        type="button"
        class="danger"
        data-testid={`${p.testid}-confirm`}
        onClick={() => {
          setAsking(false);
          p.onConfirm();
        }}
      >
        Yes, {p.label.toLowerCase()}
      </button>{' '}
      <button type="button" data-testid={`${p.testid}-cancel`} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
};

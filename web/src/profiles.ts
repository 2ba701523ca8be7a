import type { Profile } from './types.js';

/** The profile a server started without naming one gets, when it can start. */
export const defaultProfile = (profiles: Profile[] | undefined): Profile | undefined => profiles?.find((x) => x.default && !x.error);

/** What a profile runs, as the console names it ("JupyterLab 4.6.6"); its name until the profiles are loaded. */
export const profileLabel = (name: string, profiles: Profile[] | undefined): string => profiles?.find((x) => x.name === name)?.display_name || name;

/** One entry of a profile chooser; `value` '' asks for the hub's default. */
export interface ProfileChoice {
  value: string;
  label: string;
  disabled: boolean;
  title: string;
}

/**
 * A chooser's entries, one per profile (pure): the default profile is the empty choice, named after what it
 * runs; "Hub default" stands alone only when no listed profile is the default, so no profile appears twice
 * (a default that cannot start is listed once, unavailable, and is not the empty choice).
 */
export const profileChoices = (profiles: readonly Profile[]): ProfileChoice[] => {
  const marked = profiles.find((x) => x.default);
  const usable = marked && !marked.error ? marked : undefined;
  const entries = profiles.map((x) => ({
    value: x === usable ? '' : x.name,
    label: `${x.display_name || x.name}${x.default ? ' (default)' : ''}${x.error ? ' (unavailable)' : ''}`,
    disabled: Boolean(x.error),
    title: x.error ?? `profile ${x.name}`,
  }));
  return marked ? entries : [{ value: '', label: 'Hub default', disabled: false, title: 'the profile the hub picks' }, ...entries];
};

/** The entry a chooser starts on: the default when it can start, else the first that can. */
export const firstChoice = (choices: readonly ProfileChoice[]): string => (choices.find((c) => !c.disabled) ?? choices[0])?.value ?? '';

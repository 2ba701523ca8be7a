import type { Profile } from './types.js';

/** The profile a server started without naming one gets, when it can start. */
export const defaultProfile = (profiles: Profile[] | undefined): Profile | undefined => profiles?.find((x) => x.default && !x.error);

/** What a profile runs, as the console names it ("JupyterLab 4.6.6"); its name until the profiles are loaded. */
export const profileLabel = (name: string, profiles: Profile[] | undefined): string => profiles?.find((x) => x.name === name)?.display_name || name;

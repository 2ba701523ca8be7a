/**
 * The instance label's value for a hub id (label values: ≤ 63 of [A-Za-z0-9._-], alphanumeric at both ends).
 * The same mapping as the spawner's labelValue (spawners/kubernetes/names.ts), so the agents and the hub
 * select what the spawner labelled.
 */
export const instanceLabel = (hubId: string): string =>
  hubId
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');

/**
 * Profiles restricted to groups (issue 16), pure: a profile listing groups is for their members (and admins);
 * one listing none is for everyone.
 */
export const mayUseProfile = (profileGroups: readonly string[] | undefined, user: { admin: boolean; groups: readonly string[] }): boolean =>
  !profileGroups?.length || user.admin || profileGroups.some((g) => user.groups.includes(g));

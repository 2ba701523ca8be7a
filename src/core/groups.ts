import type { Page } from './store.js';

/** A group of users, as JupyterHub has them (issue 16): its name, free-form properties and members. */
export interface GroupRecord {
  name: string;
  /** JupyterHub's group `properties`: any JSON object, kept as given. */
  properties: Record<string, unknown>;
  created: number;
  /** Member names, sorted. */
  users: string[];
}

export interface GroupRepo {
  /** Creates an empty group (members are added with `addUsers`). Throws HubError CONFLICT when the name is taken. */
  create(group: { name: string; properties: Record<string, unknown>; created: number }): Promise<void>;
  get(name: string): Promise<GroupRecord | undefined>;
  /** Ordered by name; one query for the page, one for its members, one for the total. */
  list(query: { offset: number; limit: number }): Promise<Page<GroupRecord>>;
  /** Deletes the group and its memberships (the users stay); false when there was no such group. */
  delete(name: string): Promise<boolean>;
  /** Replaces the group's properties; false when there is no such group. */
  setProperties(name: string, properties: Record<string, unknown>): Promise<boolean>;
  /** Adds members (already members are kept once); false when there is no such group. The caller checks the users exist. */
  addUsers(name: string, users: readonly string[]): Promise<boolean>;
  /** Removes members (non-members are ignored); false when there is no such group. */
  removeUsers(name: string, users: readonly string[]): Promise<boolean>;
  /** The groups `user` is a member of, sorted. */
  ofUser(user: string): Promise<string[]>;
  /** Each user's groups (sorted) in one query; users in no group map to []. */
  ofUsers(users: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Makes `user` a member of exactly `groups` in one transaction, creating the groups that do not exist (empty
   * properties, `created` = `at`): what an authenticator that manages groups (LDAP, OIDC) does at each login.
   */
  setUserGroups(user: string, groups: readonly string[], at: number): Promise<void>;
}

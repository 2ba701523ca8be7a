/** The hub's own name rules, checked before sending so the form can say what is wrong. */
import { isValidServerName, isValidUserName } from '../../src/core/names.js';

export const serverNameProblem = (name: string): string | undefined => {
  if (name === '') return 'Enter a name for the server.';
  if (name.length > 64) return 'Server names are at most 64 characters.';
  if (!isValidServerName(name))
    return 'Server names start with a letter or digit and contain only letters, digits, ".", "_" and "-".';
  return undefined;
};

export const userNameProblem = (name: string): string | undefined => {
  if (name === '') return 'Enter a user name.';
  if (name.length > 64) return 'User names are at most 64 characters.';
  if (!isValidUserName(name))
    return 'User names start with a lower-case letter or digit and contain only lower-case letters, digits, ".", "_" and "-".';
  return undefined;
};

/** The hub's name rules (src/core/names.ts), checked before sending so the form can say what is wrong. */
const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const USER_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export const serverNameProblem = (name: string): string | undefined => {
  if (name === '') return 'Enter a name for the server.';
  if (name.length > 64) return 'Server names are at most 64 characters.';
  if (!SERVER_NAME.test(name) || name.includes('..'))
    return 'Server names start with a letter or digit and contain only letters, digits, ".", "_" and "-".';
  return undefined;
};

export const userNameProblem = (name: string): string | undefined => {
  if (name === '') return 'Enter a user name.';
  if (name.length > 64) return 'User names are at most 64 characters.';
  if (!USER_NAME.test(name) || name.includes('..'))
    return 'User names start with a lower-case letter or digit and contain only lower-case letters, digits, ".", "_" and "-".';
  return undefined;
};

// Loaded on first use: most hub processes only ever check tokens and sessions.
const argon2 = () => import('@node-rs/argon2');

// Argon2id, memory-hard: 19 MiB, 2 passes (OWASP's recommended minimum).
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = async (password: string): Promise<string> => (await argon2()).hash(password, OPTIONS);

export const verifyPassword = async (stored: string | null, password: string): Promise<boolean> => {
  if (!stored) return false;
  try {
    return await (await argon2()).verify(stored, password);
  } catch {
    return false;
  }
};

export const MIN_PASSWORD_LENGTH = 8;

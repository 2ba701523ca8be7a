import { hash, verify } from '@node-rs/argon2';

// Argon2id, memory-hard: 19 MiB, 2 passes (OWASP's recommended minimum).
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export const verifyPassword = async (stored: string | null, password: string): Promise<boolean> => {
  if (!stored) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
};

export const MIN_PASSWORD_LENGTH = 8;

import { z } from 'zod';

/**
 * The `spark` and `object_store` keys (issue 19): where the hub finds Spark for the clusters it starts, and the
 * S3-compatible store jobs take their application files from. Apart from schema.ts so their checks live here.
 */
export const sparkSchema = z
  .object({
    home: z
      .string()
      .default('')
      .describe(
        "Folder holding the pyspark package (pip install --target), whose pyspark/bin/spark-class starts masters and workers on the machine's Java 17. Empty: $XDG_DATA_HOME/nbhub/spark, else ~/.local/share/nbhub/spark (scripts/install-deps.sh --spark installs it there).",
      ),
    java_home: z.string().default('').describe('JAVA_HOME for Spark\'s processes. Empty: the java on PATH.'),
    start_timeout_seconds: z
      .number()
      .min(1)
      .max(3600)
      .default(120)
      .describe('A cluster whose master does not answer, or whose workers have not all registered, within this time is stopped and marked failed.'),
    max_workers: z.number().int().min(1).max(1000).default(16).describe('Most workers a cluster may ask for.'),
    max_worker_cores: z.number().int().min(1).max(1024).default(64).describe('Most cores one worker may offer.'),
    max_worker_memory_mb: z.number().int().min(256).max(4_194_304).default(65_536).describe('Most memory (MiB) one worker may offer.'),
  })
  .strict();

const httpUrl = z
  .string()
  .refine((v) => {
    if (v === '') return true;
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '' && (u.pathname === '/' || u.pathname === '');
    } catch {
      return false;
    }
  }, 'must be empty or an http(s) origin such as http://127.0.0.1:7070 (no user, password or path)');

export const objectStoreSchema = z
  .object({
    endpoint: httpUrl.default('').describe('Origin of the S3-compatible object store (path-style requests), e.g. http://127.0.0.1:7070. Empty: jobs cannot be submitted.'),
    access_key: z.string().default('').describe('Access key id for the object store (AWS Signature Version 4).'),
    secret_key: z.string().default('').describe('Secret access key for the object store; never logged.'),
    region: z.string().min(1).default('us-east-1').describe('Region the signatures name.'),
    presign_seconds: z
      .number()
      .int()
      .min(60)
      .max(604_800)
      .default(3600)
      .describe("How long the signed URL a job's application file is fetched through stays valid (Spark's driver and executors fetch it)."),
  })
  .strict();

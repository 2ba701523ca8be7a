import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A SparkPi of our own (spark-pi/NbhubPi.java, which bench/spark-submit.mjs builds too), compiled in the test
 * against the installed Spark's jars: `NbhubPi [slices] [sleep seconds]` prints "Pi is roughly …", then sleeps
 * (a job long enough to kill). It never names its application, so spark.app.name (the hub's) stands.
 */
const SOURCE = fileURLToPath(new URL('./spark-pi/NbhubPi.java', import.meta.url));

/** Compiles NbhubPi with javac against `<sparkPackageDir>/jars/*` and returns the jar's bytes. */
export const buildPiJar = (sparkPackageDir: string): Buffer => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-pi-'));
  try {
    copyFileSync(SOURCE, join(dir, 'NbhubPi.java'));
    execFileSync('javac', ['-cp', `${sparkPackageDir}/jars/*`, '-d', join(dir, 'classes'), join(dir, 'NbhubPi.java')], { stdio: 'pipe' });
    execFileSync('jar', ['cf', join(dir, 'pi.jar'), '-C', join(dir, 'classes'), '.'], { stdio: 'pipe' });
    return readFileSync(join(dir, 'pi.jar'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/**
 * Jest's globalSetup: runs once, before the workers start. Gets helm and the charts (test/setup/prerequisites.ts)
 * and makes the run's scratch folder, where the shipped stacks' plans are shared between test files
 * (test/helpers/sharedPlans.ts). Both reach the workers through the environment.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensurePrerequisites, PrerequisiteError, prerequisiteEnv } from "./prerequisites";

export const RUN_DIR_ENV = "FLYTE_TEST_RUN_DIR";

export default async function globalSetup(): Promise<void> {
    const projectDir = path.resolve(__dirname, "..", "..");
    try {
        Object.assign(process.env, prerequisiteEnv(await ensurePrerequisites({ projectDir, env: process.env })));
    } catch (err) {
        if (err instanceof PrerequisiteError) {
            // One line, not jest's stack trace: nothing else can run without these.
            process.stderr.write(`\nerror: ${err.message}\n`);
            process.exit(1);
        }
        throw err;
    }
    process.env[RUN_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-test-run-"));
}

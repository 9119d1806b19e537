import * as fs from "fs";
import { RUN_DIR_ENV } from "./globalSetup";

/** Removes the run's scratch folder (shared plans). */
export default function globalTeardown(): void {
    const dir = process.env[RUN_DIR_ENV];
    if (dir) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

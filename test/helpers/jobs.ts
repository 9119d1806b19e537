import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";

/**
 * For the setup Jobs' tests: their scripts run by /bin/sh against stand-in commands (no cluster, no network, no
 * waiting), and the resource options the components give their Jobs, which a plan does not record.
 */

export interface FakeRun {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    /** Every call of a faked command, in order: its name and arguments. */
    readonly calls: { readonly command: string; readonly args: string[] }[];
}

/**
 * Runs `script` with /bin/sh, every command named in `fakes` replaced by a stand-in that records its arguments and
 * runs the given shell body (`$n` is how many times it was called before, from 0). `sleep` is always faked (it
 * records and returns at once) unless `fakes` says otherwise. `env` is added to a minimal environment.
 */
export function runWithFakes(script: string, fakes: Readonly<Record<string, string>>, env: Readonly<Record<string, string>> = {}): FakeRun {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-commands-"));
    try {
        const bin = path.join(dir, "bin");
        const calls = path.join(dir, "calls");
        fs.mkdirSync(bin);
        fs.mkdirSync(calls);
        for (const [command, body] of Object.entries({ sleep: "exit 0", ...fakes })) {
            fs.writeFileSync(
                path.join(bin, command),
                [
                    "#!/bin/sh",
                    `n=$(ls '${calls}' | grep -c '^[0-9]*-${command}$' || true)`,
                    `{ printf '%s\\0' '${command}'; for a in "$@"; do printf '%s\\0' "$a"; done; } > '${calls}'/$(printf '%04d' "$(ls '${calls}' | wc -l)")-${command}`,
                    body,
                    "",
                ].join("\n"),
                { mode: 0o755 },
            );
        }
        const result = spawnSync("/bin/sh", ["-c", script], {
            encoding: "utf8",
            env: { PATH: `${bin}:/usr/bin:/bin`, ...env },
            timeout: 30000,
        });
        const recorded = fs
            .readdirSync(calls)
            .sort()
            .map((file) => {
                const [command, ...args] = fs.readFileSync(path.join(calls, file), "utf8").split("\0").slice(0, -1);
                return { command, args };
            });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: recorded };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Records the customTimeouts of every resource of `type` registered after the call, by name. Call it inside a
 * runComponents program, before the components (a stack transformation sees each resource's options).
 */
export function recordCustomTimeouts(type: string): Map<string, pulumi.CustomTimeouts | undefined> {
    // Loaded here, not at the top: the Pulumi SDK takes about a second per test file under jest, and the files that
    // only run Jobs' scripts do without it.
    const { runtime } = require("@pulumi/pulumi") as typeof pulumi;
    const seen = new Map<string, pulumi.CustomTimeouts | undefined>();
    runtime.registerStackTransformation((args) => {
        if (args.type === type) {
            seen.set(args.name, args.opts.customTimeouts);
        }
        return undefined;
    });
    return seen;
}

/** A Go duration as Pulumi's customTimeouts take it ("360s", "6m", "1h30m"), in seconds. */
export function durationSeconds(duration: string): number {
    const parts = [...duration.matchAll(/(\d+)(h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== duration) {
        throw new Error(`not a duration of hours, minutes and seconds: ${duration}`);
    }
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (unit === "h" ? 3600 : unit === "m" ? 60 : 1), 0);
}

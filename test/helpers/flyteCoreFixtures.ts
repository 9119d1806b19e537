import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * Small readers for the flyte-core tests: what Helm's `tpl` makes of escaped text, a shell script run against a
 * stand-in curl, and the resolved inputs of resources whose recorded inputs are masked as secrets. (nginx.conf is
 * read by nginx.ts, value trees by json.ts.)
 */

/**
 * What Helm's `tpl` renders from text whose only template actions are `{{ "{{" }}` (a literal `{{`). Fails if the
 * text holds any other action, which `tpl` would try to evaluate.
 */
export function renderEscapedTpl(text: string): string {
    const escape = '{{ "{{" }}';
    const literal = text.split(escape);
    for (const part of literal) {
        if (part.includes("{{")) {
            throw new Error(`unescaped template action in ${JSON.stringify(text)}`);
        }
    }
    return literal.join("{{");
}

// ---- Shell scripts ----

export interface CurlCall {
    readonly args: readonly string[];
}

/**
 * Runs a `/bin/sh -c` script with a stand-in `curl` first on PATH that records its arguments (NUL-separated, one
 * file per call) and succeeds. Returns the calls in order, the exit status and what the script printed.
 */
export function runWithFakeCurl(script: string): { status: number | null; stdout: string; stderr: string; calls: CurlCall[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-curl-"));
    try {
        const bin = path.join(dir, "bin");
        const calls = path.join(dir, "calls");
        fs.mkdirSync(bin);
        fs.mkdirSync(calls);
        fs.writeFileSync(
            path.join(bin, "curl"),
            [
                "#!/bin/sh",
                `n=$(ls '${calls}' | wc -l)`,
                `for a in "$@"; do printf '%s\\0' "$a"; done > '${calls}'/$(printf '%04d' "$n")`,
                "exit 0",
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
        const result = spawnSync("/bin/sh", ["-c", script], {
            encoding: "utf8",
            env: { PATH: `${bin}:/usr/bin:/bin` },
            timeout: 30000,
        });
        const recorded = fs
            .readdirSync(calls)
            .sort()
            .map((file) => ({ args: fs.readFileSync(path.join(calls, file), "utf8").split("\0").slice(0, -1) }));
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: recorded };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The value following a flag in an argument list (`-X PUT`); fails if the flag is absent or repeated. */
export function flagValue(args: readonly string[], flag: string): string {
    const indexes = args.flatMap((a, i) => (a === flag ? [i] : []));
    if (indexes.length !== 1 || indexes[0] + 1 >= args.length) {
        throw new Error(`expected ${flag} once with a value in ${JSON.stringify(args)}`);
    }
    return args[indexes[0] + 1];
}

// ---- Inputs behind secrets ----

/**
 * Captures the inputs resources are registered with, before the plan masks secrets: a legacy transformation (which
 * children inherit from their parent component) resolves the props of each resource `wanted` selects. Pass
 * `capture.transformation` in the component's `transformations`, then await `capture.inputs(type, name)`.
 */
export class InputCapture {
    private readonly captured = new Map<string, Promise<unknown>>();

    constructor(private readonly wanted: (type: string, name: string) => boolean) {}

    readonly transformation: pulumi.ResourceTransformation = (args) => {
        if (this.wanted(args.type, args.name)) {
            this.captured.set(
                `${args.type}::${args.name}`,
                new Promise((resolve) => {
                    pulumi.output(args.props).apply((props) => {
                        resolve(props);
                        return props;
                    });
                }),
            );
        }
        return undefined;
    };

    /** Names of the resources captured, as `type::name`, sorted. */
    keys(): string[] {
        return [...this.captured.keys()].sort();
    }

    async inputs(type: string, name: string): Promise<unknown> {
        const found = this.captured.get(`${type}::${name}`);
        if (!found) {
            throw new Error(`no resource ${type}::${name} was captured; captured: ${this.keys().join(", ") || "none"}`);
        }
        return found;
    }
}

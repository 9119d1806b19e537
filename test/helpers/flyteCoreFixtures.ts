import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isRecord } from "./helm";

/**
 * Small readers for the flyte-core tests: every string in a value tree, what Helm's `tpl` makes of escaped text,
 * nginx.conf as a tree of directives, a shell script run against a stand-in curl, and the resolved inputs of
 * resources whose recorded inputs are masked as secrets.
 */

// ---- Value trees ----

/** Every string in a value tree, with its path (`a.b[0].c`). */
export function stringsIn(value: unknown, where = ""): { path: string; value: string }[] {
    if (typeof value === "string") {
        return [{ path: where || "(root)", value }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => stringsIn(v, `${where}[${i}]`));
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => stringsIn(v, where ? `${where}.${k}` : k));
    }
    return [];
}

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

// ---- nginx.conf ----

export interface NginxDirective {
    readonly name: string;
    readonly args: readonly string[];
    /** The directives of its block, or undefined for a simple directive (`name args;`). */
    readonly block?: readonly NginxDirective[];
    readonly line: number;
}

interface Token {
    readonly value: string;
    readonly punct: boolean;
    readonly line: number;
}

function nginxTokens(text: string): Token[] {
    const tokens: Token[] = [];
    let line = 1;
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === "\n") {
            line += 1;
            i += 1;
        } else if (/\s/.test(c)) {
            i += 1;
        } else if (c === "#") {
            while (i < text.length && text[i] !== "\n") {
                i += 1;
            }
        } else if (c === "{" || c === "}" || c === ";") {
            tokens.push({ value: c, punct: true, line });
            i += 1;
        } else if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) {
                throw new Error(`line ${line}: unterminated quoted string`);
            }
            tokens.push({ value: text.slice(i + 1, end), punct: false, line });
            line += (text.slice(i, end).match(/\n/g) ?? []).length;
            i = end + 1;
        } else {
            let j = i;
            while (j < text.length && !/[\s{};]/.test(text[j])) {
                j += 1;
            }
            tokens.push({ value: text.slice(i, j), punct: false, line });
            i = j;
        }
    }
    return tokens;
}

/** Parses nginx.conf syntax (directives, blocks, quotes, comments); fails on unbalanced braces or a directive without `;`. */
export function parseNginx(text: string): NginxDirective[] {
    const tokens = nginxTokens(text);
    let pos = 0;
    const parseBlock = (depth: number): NginxDirective[] => {
        const directives: NginxDirective[] = [];
        let words: Token[] = [];
        while (pos < tokens.length) {
            const token = tokens[pos];
            pos += 1;
            if (!token.punct) {
                words.push(token);
                continue;
            }
            if (token.value === "}") {
                if (depth === 0) {
                    throw new Error(`line ${token.line}: '}' closes no block`);
                }
                if (words.length > 0) {
                    throw new Error(`line ${words[0].line}: directive ${words[0].value} is not terminated by ';'`);
                }
                return directives;
            }
            if (words.length === 0) {
                throw new Error(`line ${token.line}: '${token.value}' without a directive`);
            }
            const [name, ...args] = words.map((w) => w.value);
            const line = words[0].line;
            words = [];
            directives.push(token.value === "{" ? { name, args, block: parseBlock(depth + 1), line } : { name, args, line });
        }
        if (depth > 0) {
            throw new Error("unexpected end of file: a block is not closed");
        }
        if (words.length > 0) {
            throw new Error(`line ${words[0].line}: directive ${words[0].value} is not terminated by ';'`);
        }
        return directives;
    };
    return parseBlock(0);
}

/** The directives of a name among `directives`, optionally with exactly these arguments. */
export function nginxAll(directives: readonly NginxDirective[], name: string, args?: readonly string[]): NginxDirective[] {
    return directives.filter(
        (d) => d.name === name && (args === undefined || JSON.stringify(d.args) === JSON.stringify(args)),
    );
}

/** The one directive of a name (and arguments); fails listing what there is. */
export function nginxOne(directives: readonly NginxDirective[], name: string, args?: readonly string[]): NginxDirective {
    const found = nginxAll(directives, name, args);
    if (found.length !== 1) {
        throw new Error(
            `expected one ${name}${args ? ` ${args.join(" ")}` : ""}, found ${found.length} among: ${directives
                .map((d) => `${d.name} ${d.args.join(" ")}`)
                .join("; ")}`,
        );
    }
    return found[0];
}

/** The block of the one directive of a name (and arguments). */
export function nginxBlock(directives: readonly NginxDirective[], name: string, args?: readonly string[]): readonly NginxDirective[] {
    const block = nginxOne(directives, name, args).block;
    if (!block) {
        throw new Error(`${name} is not a block`);
    }
    return block;
}

/** Every directive, nested ones included. */
export function nginxFlatten(directives: readonly NginxDirective[]): NginxDirective[] {
    return directives.flatMap((d) => [d, ...nginxFlatten(d.block ?? [])]);
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

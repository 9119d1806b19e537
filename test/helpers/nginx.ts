/** nginx.conf as nginx parses it: a tree of directives, and readers for it. The one nginx parser of the tests. */

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

import * as pulumi from "@pulumi/pulumi";

const MAX_SHOWN_VALUE = 120;

/** Stands in for an encrypted value (`pulumi config set --secret`), which a message must not show. */
export const ENCRYPTED_VALUE = Symbol("encrypted config value");
/** Stands in for the value of a key that holds secrets, encrypted or not. */
export const SECRET_VALUE = Symbol("secret config value");

function show(value: unknown): string {
    if (value === undefined) {
        return "(not set)";
    }
    if (value === ENCRYPTED_VALUE) {
        return "(encrypted)";
    }
    if (value === SECRET_VALUE) {
        return "(secret)";
    }
    const text = JSON.stringify(value) ?? String(value);
    return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}…` : text;
}

/**
 * An invalid configuration value. Extends `RunError` so that the Pulumi CLI prints the one-line message
 * without a stack trace. The message always names the full key, the offending value and what is allowed.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly key: string,
        readonly value: unknown,
        readonly allowed: string,
        /** Said of the value, in parentheses after it, e.g. "the default". */
        readonly valueNote?: string,
    ) {
        const note = valueNote === undefined ? "" : ` (${valueNote})`;
        super(`invalid config ${key} = ${show(value)}${note}: ${allowed.replace(/\s*\n\s*/g, " ")}`);
        this.name = "ConfigError";
    }
}

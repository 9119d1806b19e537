import * as pulumi from "@pulumi/pulumi";

const MAX_SHOWN_VALUE = 120;

function show(value: unknown): string {
    if (value === undefined) {
        return "(not set)";
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
    ) {
        super(`invalid config ${key} = ${show(value)}: ${allowed.replace(/\s*\n\s*/g, " ")}`);
        this.name = "ConfigError";
    }
}

import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import type { StackConfig } from "../contract/config";

/**
 * Which config keys the CLI passed encrypted. The Node SDK keeps `isConfigSecret` out of its typings (it is exported
 * at run time from runtime/config.ts); without it no value counts as encrypted.
 */
function secretKeys(keys: readonly string[]): string[] {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
    const isSecret = runtime.isConfigSecret;
    return typeof isSecret === "function" ? keys.filter((key) => isSecret(key)) : [];
}

/** Reads the stack's whole config from the Pulumi runtime and validates it before anything is declared. */
export function loadStackConfig(): StackConfig {
    const raw = pulumi.runtime.allConfig();
    return parseStackConfig(raw, {
        pulumiProject: pulumi.getProject(),
        stack: pulumi.getStack(),
        secretKeys: secretKeys(Object.keys(raw)),
    });
}

import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import type { StackConfig } from "./types";

/** Reads the stack's whole config from the Pulumi runtime and validates it before anything is declared. */
export function loadStackConfig(): StackConfig {
    return parseStackConfig(pulumi.runtime.allConfig(), {
        pulumiProject: pulumi.getProject(),
        stack: pulumi.getStack(),
    });
}

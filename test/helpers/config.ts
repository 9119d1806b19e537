import { parseStackConfig, RawConfig } from "../../components/config/parse";
import type { GcpStackConfig, LocalStackConfig, StackConfig } from "../../components/config/types";

/** A valid GCP config as the runtime would pass it; override or remove keys per test. */
export function rawGcpConfig(overrides: Record<string, string | undefined> = {}): RawConfig {
    const base: Record<string, string> = {
        "gcp:project": "acme-test",
        "gcp:region": "europe-west1",
        "flyte:cloud": "gcp",
    };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete base[key];
        } else {
            base[key] = value;
        }
    }
    return base;
}

export function stackConfig(raw: RawConfig, stack = "test"): StackConfig {
    return parseStackConfig(raw, { pulumiProject: "flyte", stack });
}

export function gcpStackConfig(overrides: Record<string, string | undefined> = {}, stack = "test"): GcpStackConfig {
    const config = stackConfig(rawGcpConfig(overrides), stack);
    if (config.cloud !== "gcp") {
        throw new Error(`expected a gcp config, got ${config.cloud}`);
    }
    return config;
}

/** A valid local config: no keys are required. */
export function localStackConfig(overrides: Record<string, string> = {}, stack = "test"): LocalStackConfig {
    const config = stackConfig({ "flyte:cloud": "local", ...overrides }, stack);
    if (config.cloud !== "local") {
        throw new Error(`expected a local config, got ${config.cloud}`);
    }
    return config;
}

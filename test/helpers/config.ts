import { parseStackConfig, RawConfig } from "../../components/config/parse";
import type { StackConfig } from "../../components/config/types";

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

export function gcpStackConfig(overrides: Record<string, string | undefined> = {}, stack = "test"): StackConfig {
    return parseStackConfig(rawGcpConfig(overrides), { pulumiProject: "flyte", stack });
}

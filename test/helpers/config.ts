import { parseStackConfig, RawConfig } from "../../components/config/parse";
import type { AwsStackConfig, FlyteConfig, GcpStackConfig, LocalStackConfig, StackConfig } from "../../components/contract/config";

/** `base` with keys set, or removed where the override is undefined. */
function withOverrides(base: Record<string, string>, overrides: Record<string, string | undefined>): RawConfig {
    const result: Record<string, string> = { ...base };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete result[key];
        } else {
            result[key] = value;
        }
    }
    return result;
}

/** A valid GCP config as the runtime would pass it; override or remove keys per test. */
export function rawGcpConfig(overrides: Record<string, string | undefined> = {}): RawConfig {
    return withOverrides({ "gcp:project": "acme-test", "gcp:region": "europe-west1", "flyte:cloud": "gcp" }, overrides);
}

/** A valid AWS config as the runtime would pass it: cloud aws and aws:region are all it needs. */
export function rawAwsConfig(overrides: Record<string, string | undefined> = {}): RawConfig {
    return withOverrides({ "aws:region": "eu-central-1", "flyte:cloud": "aws" }, overrides);
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

/** A valid AWS config (eu-central-1, every other key at its default unless overridden). */
export function awsStackConfig(overrides: Record<string, string | undefined> = {}, stack = "test"): AwsStackConfig {
    const config = stackConfig(rawAwsConfig(overrides), stack);
    if (config.cloud !== "aws") {
        throw new Error(`expected an aws config, got ${config.cloud}`);
    }
    return config;
}

/** The domains of twoProjectFlyteConfig. */
export const TWO_PROJECT_DOMAINS = ["d-dev", "t-dev", "p-dev"];

/**
 * A GCP stack's Flyte config with two projects, x and y, in three domains (TWO_PROJECT_DOMAINS), their namespaces
 * team-<project>-<domain> and Flyte in team-flyte: the identity and isolation tests' config, on either chart.
 */
export function twoProjectFlyteConfig(flavor: "binary" | "core", isolation: boolean, overrides: Record<string, string> = {}): FlyteConfig {
    return gcpStackConfig({
        "flyte:flavor": flavor,
        "flyte:projectIsolation": String(isolation),
        "flyte:flyteProjects": '["x","y"]',
        "flyte:flyteDomains": JSON.stringify(TWO_PROJECT_DOMAINS),
        "flyte:namespaceTemplate": "team-{{ project }}-{{ domain }}",
        "flyte:flyteNamespace": "team-flyte",
        ...overrides,
    }).flyte;
}

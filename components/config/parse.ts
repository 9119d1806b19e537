import { parseAws } from "./aws";
import { parseFlyte } from "./flyte";
import { parseGcp } from "./gcp";
import { parseLocal } from "./local";
import { ConfigContext, ConfigReader, RawConfig } from "./reader";
import { ConfigError } from "./errors";
import { CLOUDS, CONFIG_KEYS, SUPPORTED_CLOUDS } from "./schema";
import type { StackConfig } from "./types";

export type { ConfigContext, RawConfig } from "./reader";

/**
 * Parses and validates the whole stack config. Pure: it reads only `raw` and `context`, declares nothing, and
 * throws a ConfigError naming the first bad key, its value and what is allowed.
 */
export function parseStackConfig(raw: RawConfig, context: ConfigContext): StackConfig {
    const config = new ConfigReader(raw, context.pulumiProject);
    const unknown = config.unknownKeys();
    if (unknown.length > 0) {
        const key = unknown[0];
        throw new ConfigError(
            `${context.pulumiProject}:${key}`,
            raw[`${context.pulumiProject}:${key}`],
            `unknown key; known keys: ${Object.keys(CONFIG_KEYS).join(", ")}`,
        );
    }

    const cloud = config.oneOf("cloud", CLOUDS);
    if (!SUPPORTED_CLOUDS.includes(cloud)) {
        config.fail("cloud", cloud, `not supported yet; allowed: ${SUPPORTED_CLOUDS.join(", ")}`);
    }
    const flyte = parseFlyte(config);
    const protection = {
        deletionProtection: config.boolean("deletionProtection"),
        forceDestroyBuckets: config.boolean("forceDestroyBuckets"),
    };
    const common = { pulumiProject: context.pulumiProject, stack: context.stack, flyte, protection };
    switch (cloud) {
        case "local":
            return { ...common, cloud, local: parseLocal(config, flyte) };
        case "aws":
            return { ...common, cloud, aws: parseAws(config, flyte) };
        case "gcp":
            return { ...common, cloud, gcp: parseGcp(config, flyte) };
    }
}

import { parseAws } from "./aws";
import { parseFlyte } from "./flyte";
import { parseGcp } from "./gcp";
import { parseAuthentication, parseHttps } from "./endpoint";
import { parseExecutionEvents, parseNotifications } from "./notifications";
import { parseRegistry } from "./registry";
import { parseVerification } from "./verification";
import { parseMultiCluster } from "./multiCluster";
import { checkEncryptedKeys, checkKnownKeys, checkTargets } from "./keys";
import { parseLocal } from "./local";
import { ConfigContext, ConfigReader, RawConfig } from "./reader";
import { CONFIG_KEYS } from "./schema";
import type { StackConfig } from "../contract/config";

export type { ConfigContext, RawConfig } from "./reader";

/**
 * Parses and validates the whole stack config. Pure: it reads only `raw` and `context`, declares nothing, and
 * throws a ConfigError naming the first bad key, its value and what is allowed. Typos come first (a misspelt key
 * would otherwise be reported as a missing one), then encrypted values, then keys of another target.
 */
export function parseStackConfig(raw: RawConfig, context: ConfigContext): StackConfig {
    const namespace = context.pulumiProject;
    const secretKeys = context.secretKeys ?? [];
    checkKnownKeys(raw, namespace, secretKeys);
    checkEncryptedKeys(secretKeys, namespace);
    const config = new ConfigReader(raw, namespace, CONFIG_KEYS, secretKeys);

    const cloud = config.oneOf("cloud");
    checkTargets(raw, namespace, cloud);
    const flyte = parseFlyte(config);
    const protection = {
        deletionProtection: config.boolean("deletionProtection"),
        // GCS and S3 buckets; on local, MinIO's data lives on a volume that deletionProtection guards.
        forceDestroyBuckets: CONFIG_KEYS.forceDestroyBuckets.targets.includes(cloud) ? config.boolean("forceDestroyBuckets") : false,
    };
    const https = parseHttps(config, cloud);
    const authentication = parseAuthentication(config, cloud, https);
    const notifications = parseNotifications(config, cloud);
    const executionEvents = parseExecutionEvents(config, cloud);
    const registry = parseRegistry(config, cloud);
    const multiCluster = parseMultiCluster(config, cloud, flyte);
    const verification = parseVerification(config, cloud, multiCluster?.role);
    const common = {
        pulumiProject: context.pulumiProject,
        stack: context.stack,
        flyte,
        protection,
        https,
        authentication,
        notifications,
        executionEvents,
        registry,
        verification,
        multiCluster,
    };
    switch (cloud) {
        case "local":
            return { ...common, cloud, local: parseLocal(config, flyte) };
        case "aws":
            return { ...common, cloud, aws: parseAws(config, flyte, context, { notifications, executionEvents }, multiCluster) };
        case "gcp":
            return { ...common, cloud, gcp: parseGcp(config, flyte, https) };
    }
}

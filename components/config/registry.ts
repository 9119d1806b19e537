import { ConfigReader } from "./reader";
import { CONFIG_KEYS, ConfigKey } from "./schema";
import type { Cloud, RegistryConfig } from "../contract/config";

const REGISTRY_KEYS = ["registryKeepVersions", "registryUntaggedDays", "ciGithubRepository"] as const satisfies readonly ConfigKey[];
const GITHUB_KEYS = ["ciGithubRef", "ciGithubEnvironment"] as const satisfies readonly ConfigKey[];

/** A registry for task images and who may push to it; undefined without `registry` (and always on local). */
export function parseRegistry(config: ConfigReader, cloud: Cloud): RegistryConfig | undefined {
    if (!CONFIG_KEYS.registry.targets.includes(cloud)) {
        return undefined;
    }
    if (!config.boolean("registry")) {
        config.refuseSetKeys([...REGISTRY_KEYS, ...GITHUB_KEYS], "registry: true");
        return undefined;
    }
    const repository = config.string("ciGithubRepository");
    if (repository === "") {
        config.refuseSetKeys(GITHUB_KEYS, "ciGithubRepository set");
    }
    return {
        keepVersions: config.integer("registryKeepVersions"),
        untaggedDays: config.integer("registryUntaggedDays"),
        githubPush: repository === "" ? undefined : { repository, ref: config.string("ciGithubRef"), environment: config.string("ciGithubEnvironment") },
    };
}

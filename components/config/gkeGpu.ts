import { ConfigReader } from "./reader";
import type { ConfigKey } from "./schema";
import type { GkeGpuPoolConfig } from "../contract/config";

/** The keys that describe the GPU node pool: they mean something only with `gkeGpuType` set. */
const GPU_POOL_KEYS = ["gkeGpuCount", "gkeGpuMachineType", "gkeGpuMaxNodesPerZone"] as const satisfies readonly ConfigKey[];

/**
 * The GKE cluster's GPU node pool; undefined without `gkeGpuType`, when none of the other keys may be set. Whether the
 * machine type takes that many GPUs of that type is Compute Engine's to say (https://cloud.google.com/compute/docs/gpus):
 * the pool fails to create otherwise.
 */
export function parseGkeGpu(config: ConfigReader): GkeGpuPoolConfig | undefined {
    const type = config.string("gkeGpuType");
    if (type === "") {
        config.refuseSetKeys(GPU_POOL_KEYS, "gkeGpuType set");
        return undefined;
    }
    return {
        type,
        count: config.integer("gkeGpuCount"),
        machineType: config.string("gkeGpuMachineType"),
        maxNodesPerZone: config.integer("gkeGpuMaxNodesPerZone"),
    };
}

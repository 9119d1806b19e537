/**
 * The GKE cluster's GPU node pool (components/config/gkeGpu.ts): none by default, its keys refused without
 * gkeGpuType, each key's bounds and pattern; the same on any GCP stack (standalone, control plane, data plane).
 */
import { CONFIG_KEYS } from "../../../components/config/schema";
import { configError, expectOneLine, gcpStackConfig, rawAwsConfig, rawGcpConfig } from "../../helpers/config";

const L4 = { "flyte:gkeGpuType": "nvidia-l4" } as const;

test("no GPU pool by default, nor with gkeGpuType empty", () => {
    expect(gcpStackConfig().gcp.gke.gpuPool).toBeUndefined();
    expect(gcpStackConfig({ "flyte:gkeGpuType": "" }).gcp.gke.gpuPool).toBeUndefined();
    expect(CONFIG_KEYS.gkeGpuType.default).toBe("");
});

test("gkeGpuType alone: one L4 per g2-standard-8 node, up to 2 nodes per zone", () => {
    expect(gcpStackConfig(L4).gcp.gke.gpuPool).toEqual({ type: "nvidia-l4", count: 1, machineType: "g2-standard-8", maxNodesPerZone: 2 });
});

test("every key set", () => {
    expect(
        gcpStackConfig({
            "flyte:gkeGpuType": "nvidia-a100-80gb",
            "flyte:gkeGpuCount": "8",
            "flyte:gkeGpuMachineType": "a2-ultragpu-8g",
            "flyte:gkeGpuMaxNodesPerZone": "100",
        }).gcp.gke.gpuPool,
    ).toEqual({ type: "nvidia-a100-80gb", count: 8, machineType: "a2-ultragpu-8g", maxNodesPerZone: 100 });
});

test.each(["nvidia-l4", "nvidia-tesla-t4", "nvidia-tesla-a100", "nvidia-a100-80gb", "nvidia-h100-80gb", "nvidia-h100-mega-80gb"])("%s is an accelerator type", (type) => {
    expect(gcpStackConfig({ "flyte:gkeGpuType": type }).gcp.gke.gpuPool?.type).toBe(type);
});

test("the other keys at their defaults count as not set", () => {
    // Pulumi passes Pulumi.yaml's defaults like values the stack sets.
    expect(gcpStackConfig({ "flyte:gkeGpuCount": "1", "flyte:gkeGpuMachineType": "g2-standard-8", "flyte:gkeGpuMaxNodesPerZone": "2" }).gcp.gke.gpuPool).toBeUndefined();
});

test.each([
    [{ "flyte:gkeGpuCount": "2" }, "flyte:gkeGpuCount", 'invalid config flyte:gkeGpuCount = "2": only with gkeGpuType set'],
    [{ "flyte:gkeGpuMachineType": "a2-highgpu-1g" }, "flyte:gkeGpuMachineType", 'invalid config flyte:gkeGpuMachineType = "a2-highgpu-1g": only with gkeGpuType set'],
    [{ "flyte:gkeGpuMaxNodesPerZone": "4" }, "flyte:gkeGpuMaxNodesPerZone", 'invalid config flyte:gkeGpuMaxNodesPerZone = "4": only with gkeGpuType set'],
    [{ "flyte:gkeGpuType": "", "flyte:gkeGpuCount": "2" }, "flyte:gkeGpuCount", 'invalid config flyte:gkeGpuCount = "2": only with gkeGpuType set'],
    [
        { "flyte:gkeGpuType": "l4" },
        "flyte:gkeGpuType",
        'invalid config flyte:gkeGpuType = "l4": allowed: empty, or a GKE accelerator type such as nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb or nvidia-h100-80gb',
    ],
    [
        { "flyte:gkeGpuType": "NVIDIA-L4" },
        "flyte:gkeGpuType",
        'invalid config flyte:gkeGpuType = "NVIDIA-L4": allowed: empty, or a GKE accelerator type such as nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb or nvidia-h100-80gb',
    ],
    [
        { "flyte:gkeGpuType": "nvidia-l4-" },
        "flyte:gkeGpuType",
        'invalid config flyte:gkeGpuType = "nvidia-l4-": allowed: empty, or a GKE accelerator type such as nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb or nvidia-h100-80gb',
    ],
    [{ ...L4, "flyte:gkeGpuCount": "0" }, "flyte:gkeGpuCount", 'invalid config flyte:gkeGpuCount = "0": allowed: a whole number from 1 to 8'],
    [{ ...L4, "flyte:gkeGpuCount": "16" }, "flyte:gkeGpuCount", 'invalid config flyte:gkeGpuCount = "16": allowed: a whole number from 1 to 8'],
    [{ ...L4, "flyte:gkeGpuMaxNodesPerZone": "0" }, "flyte:gkeGpuMaxNodesPerZone", 'invalid config flyte:gkeGpuMaxNodesPerZone = "0": allowed: a whole number from 1 to 100'],
    [{ ...L4, "flyte:gkeGpuMaxNodesPerZone": "101" }, "flyte:gkeGpuMaxNodesPerZone", 'invalid config flyte:gkeGpuMaxNodesPerZone = "101": allowed: a whole number from 1 to 100'],
    [
        { ...L4, "flyte:gkeGpuMachineType": "G2_STANDARD_8" },
        "flyte:gkeGpuMachineType",
        'invalid config flyte:gkeGpuMachineType = "G2_STANDARD_8": allowed: a Compute Engine machine type such as g2-standard-8 that takes gkeGpuCount GPUs of gkeGpuType',
    ],
])("%o: %s is refused with one line", (overrides, key, message) => {
    const err = configError(rawGcpConfig(overrides));
    expectOneLine(err, key);
    expect(err.message).toBe(message);
});

test("GCP keys: refused on another target", () => {
    for (const key of ["gkeGpuType", "gkeGpuCount", "gkeGpuMachineType", "gkeGpuMaxNodesPerZone"] as const) {
        expect(CONFIG_KEYS[key].targets).toEqual(["gcp"]);
    }
    expect(configError(rawAwsConfig(L4)).message).toContain("flyte:gkeGpuType belongs to cloud gcp");
});

test("on a data plane and a control plane too", () => {
    const dataPlane = { "flyte:flavor": "core", "flyte:clusterRole": "dataPlane", "flyte:controlPlaneStack": "gke-control" };
    expect(gcpStackConfig({ ...dataPlane, ...L4, "flyte:gkeGpuMaxNodesPerZone": "4" }).gcp.gke.gpuPool).toEqual({
        type: "nvidia-l4",
        count: 1,
        machineType: "g2-standard-8",
        maxNodesPerZone: 4,
    });
    expect(gcpStackConfig({ "flyte:flavor": "core", "flyte:clusterRole": "controlPlane", "flyte:controlPlanePropeller": "true", ...L4 }).gcp.gke.gpuPool?.type).toBe("nvidia-l4");
});

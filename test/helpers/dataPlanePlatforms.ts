import * as pulumi from "@pulumi/pulumi";
import type { ProtectionConfig } from "../../components/contract/config";
import type { ControlPlaneOutput, FlyteDataPlanePlatform } from "../../components/contract/multiCluster";
import type { DeploymentId } from "../../components/contract/platform";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { component, runComponents } from "./components";
import { byUrn } from "./plan";

/**
 * Planning a cloud's data-plane platform (AwsDataPlanePlatform, GcpDataPlanePlatform) on its own, and the checks every
 * such platform's test makes of the plan: what it hands the Flyte layer, that it owns every resource, what
 * flytepropeller waits for.
 */

/** The arguments every cloud's data-plane platform takes besides its cloud's config section. */
export interface DataPlanePlatformCommonArgs<C extends ControlPlaneOutput> {
    /** Deletion protection as the stack says. */
    readonly protection: ProtectionConfig;
    /** The Pulumi project `flyte` and the test's data-plane stack. */
    readonly deployment: DeploymentId;
    /** Flyte's namespace: `flyte`. */
    readonly flyteNamespace: string;
    /** The control plane's stack output the data plane joins. */
    readonly controlPlane: C;
    /** Whether the data plane has a raw-data bucket of its own. */
    readonly rawDataBucket: boolean;
}

/** What the program of runComponents outputs of a data-plane platform: all it hands the Flyte layer, resources by URN. */
export function dataPlanePlatformOutputs(platform: FlyteDataPlanePlatform): Record<string, unknown> {
    return {
        apiEndpoint: platform.apiEndpoint,
        clusterName: platform.clusterName,
        kubeconfig: pulumi.unsecret(platform.kubeconfig),
        podRange: platform.podRange,
        published: platform.published,
        taskEnvironment: platform.taskEnvironment,
        rawDataBucket: platform.rawDataBucket,
        ownRawDataBucket: platform.ownRawDataBucket,
        propellerIdentity: platform.propellerIdentity,
        taskLogs: platform.taskLogs,
        releaseDependencies: platform.releaseDependencies.map((r) => r.urn),
        provider: platform.kubernetesProvider.urn,
    };
}

/**
 * Plans the data-plane platform `declare` builds from the common arguments (project `flyte`, namespace `flyte`, the
 * stack `stack`), outputting dataPlanePlatformOutputs.
 */
export function planDataPlanePlatform<C extends ControlPlaneOutput>(
    args: { readonly stack: string; readonly protection: ProtectionConfig; readonly controlPlane: C; readonly rawDataBucket: boolean },
    declare: (common: DataPlanePlatformCommonArgs<C>) => FlyteDataPlanePlatform,
): Promise<Plan> {
    const { stack, ...rest } = args;
    return runComponents(() => dataPlanePlatformOutputs(declare({ ...rest, deployment: { pulumiProject: "flyte", stack }, flyteNamespace: "flyte" })));
}

/** The stack settings of a disposable data plane: no deletion protection, buckets destroyed with their objects. */
export const DISPOSABLE_STACK = { "flyte:deletionProtection": "false", "flyte:forceDestroyBuckets": "true" } as const;

/** `controlPlane` with project isolation: each project's task identity (and, if given, its bucket) instead of the shared worker. */
export function withProjectIsolation<C extends ControlPlaneOutput>(
    controlPlane: C,
    projectWorkers: Readonly<Record<string, string>>,
    projectBuckets?: Readonly<Record<string, string>>,
): C {
    return {
        ...controlPlane,
        projectIsolation: true,
        ...(projectBuckets && { projectBuckets }),
        identities: { flyteadmin: controlPlane.identities.flyteadmin, projectWorkers },
    };
}

/**
 * Every resource of the plan has the platform component `platformType` among its ancestors, but for the stack and the
 * cloud's default provider (`pulumi:providers:<cloud>`).
 */
export function expectEveryResourceUnder(plan: Plan, platformType: string, cloud: "aws" | "gcp"): void {
    const platform = component(plan, platformType);
    const ancestors = (r: RecordedResource): string[] => (r.parent === "" ? [] : [r.parent, ...ancestors(byUrn(plan, r.parent))]);
    for (const r of plan.resources.filter((r) => r.urn !== platform.urn && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith(`pulumi:providers:${cloud}`))) {
        expect([r.name, ancestors(r).includes(platform.urn)]).toEqual([r.name, true]);
    }
}

/** The URNs of what flytepropeller waits for, as the plan's `releaseDependencies` output lists them. */
export function releaseDependencies(plan: Plan): readonly string[] {
    return plan.outputs.releaseDependencies as string[];
}

/** flytepropeller waits for exactly `expected` (in any order). */
export function expectReleaseDependencies(plan: Plan, expected: readonly RecordedResource[]): void {
    expect([...releaseDependencies(plan)].sort()).toEqual(expected.map((r) => r.urn).sort());
}

import * as pulumi from "@pulumi/pulumi";
import type { GcpConfig } from "../contract/config";
import { dataPlaneProblem as problem, dataPlaneStorageProblems, type ControlPlaneOutput, type DataPlaneProblem, type GcpControlPlaneOutput } from "../contract/multiCluster";
import { cidrsOverlap, parseCidr } from "../shared/cidr";

/**
 * What a GCP data plane checks against its control plane's stack output before it declares anything: the same cloud
 * and GCP project, a region the control plane's flyteadmin answers in, ranges of its own that leave the control
 * plane's alone in the network they share, and a raw-data bucket of its own only where the control plane allows one.
 * Pure.
 */

/** The data plane's own ranges the control plane's must not overlap, by config key (components/config/schema.ts). */
const OWN_RANGES = ["subnetCidr", "podsCidr", "servicesCidr"] as const;

export interface GcpDataPlaneCheckArgs {
    /** The data plane's gcp section: its project, region and ranges. */
    readonly config: Pick<GcpConfig, "project" | "region" | "network">;
    /** The control plane's stack as `flyte:controlPlaneStack` names it, for the messages. */
    readonly controlPlaneStack: string;
    /** The control plane's stack output `controlPlane`. */
    readonly controlPlane: ControlPlaneOutput;
    /** `flyte:dataPlaneRawBucket`: a raw-data bucket of the data plane's own. */
    readonly rawDataBucket: boolean;
}

/**
 * What is wrong with this data plane's place in the control plane's network, in config order; empty when it fits: a
 * control plane of another cloud (then the only problem reported, since nothing else compares), another GCP project,
 * a client range that is no CIDR, and each of the data plane's ranges that overlaps one of the control plane's.
 */
export function gcpDataPlaneNetworkProblems(args: Omit<GcpDataPlaneCheckArgs, "rawDataBucket">): DataPlaneProblem[] {
    const { config, controlPlaneStack: stack } = args;
    const cp = args.controlPlane;
    if (cp.cloud !== "gcp") {
        return [problem("flyte:controlPlaneStack", stack, `a control plane on gcp: stack ${stack} is on ${cp.cloud}`)];
    }
    const problems: DataPlaneProblem[] = [];
    // Workload Identity's pool is the project's (`<project>.svc.id.goog`): the control plane's bindings of task pods
    // hold in a data plane's cluster only within the same project ("identity sameness",
    // https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity#identity_sameness), and the data
    // plane's subnet goes into the control plane's VPC network.
    if (config.project !== cp.gcpProject) {
        problems.push(
            problem(
                "gcp:project",
                config.project,
                `the control plane's project ${cp.gcpProject} (stack ${stack}): every stack of a multi-cluster deployment shares one GCP project`,
            ),
        );
    }
    const networkRanges = cp.networkRanges.map((text) => ({ text, cidr: parseCidr(text) }));
    for (const range of networkRanges) {
        if (range.cidr === undefined) {
            problems.push(problem("flyte:controlPlaneStack", stack, `a control plane whose networkRanges are IPv4 CIDRs, not ${JSON.stringify(range.text)}`));
        }
    }
    // Subnet ranges (primary and secondary) of one VPC network never overlap; GCP would refuse the subnet only at
    // `pulumi up`, after other resources were created.
    for (const key of OWN_RANGES) {
        const text = config.network[key];
        const own = parseCidr(text);
        const clash = own === undefined ? undefined : networkRanges.find((range) => range.cidr !== undefined && cidrsOverlap(own, range.cidr));
        if (clash) {
            problems.push(
                problem(
                    `flyte:${key}`,
                    text,
                    `must not overlap the control plane's range ${clash.text} (stack ${stack}): data planes join its VPC network`,
                ),
            );
        }
    }
    return problems;
}

/**
 * Everything wrong with this data plane for its control plane, in config order; empty when it may join: its place in
 * the network (gcpDataPlaneNetworkProblems), then a region the control plane's flyteadmin does not answer, an own
 * raw-data bucket next to project isolation, and a control plane output that names no task identity.
 */
export function gcpDataPlaneProblems(args: GcpDataPlaneCheckArgs): DataPlaneProblem[] {
    const { config, controlPlane: cp, controlPlaneStack: stack } = args;
    const problems = gcpDataPlaneNetworkProblems(args);
    if (cp.cloud !== "gcp") {
        return problems;
    }
    if (config.region !== cp.region && !cp.adminGlobalAccess) {
        problems.push(
            problem(
                "gcp:region",
                config.region,
                `the control plane's region ${cp.region}: its flyteadmin endpoint answers clients in its own region only (stack ${stack}: set flyte:loadBalancerGlobalAccess true there to admit data planes elsewhere)`,
            ),
        );
    }
    problems.push(...dataPlaneStorageProblems(cp, stack, args.rawDataBucket));
    return problems;
}

/**
 * Fails, before anything is declared, with the first of gcpDataPlaneNetworkProblems as one line (a `RunError`: the
 * Pulumi CLI prints it without a stack trace); returns the control plane's output, known to be GCP's. The region and the raw-data bucket are checked with the stack
 * reference (components/flyte/stackReferences.ts); gcpDataPlaneProblems has every check, for a caller that wants all.
 */
export function checkDataPlaneNetwork(args: {
    /** The data plane's gcp section. */
    readonly config: Pick<GcpConfig, "project" | "region" | "network">;
    /** The control plane's stack output `controlPlane`. */
    readonly controlPlane: ControlPlaneOutput;
    /** The control plane's stack as `flyte:controlPlaneStack` names it. */
    readonly stack: string;
}): GcpControlPlaneOutput {
    const cp = args.controlPlane;
    const [first] = gcpDataPlaneNetworkProblems({ config: args.config, controlPlane: cp, controlPlaneStack: args.stack });
    if (first !== undefined || cp.cloud !== "gcp") {
        throw new pulumi.RunError(first?.message ?? `control plane ${args.stack} is not on gcp`);
    }
    return cp;
}

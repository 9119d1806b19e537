import { GkeCluster, type GkeClusterArgs } from "../../components/gcp/gkeCluster";
import { gcpNames } from "../../components/gcp/names";
import { ProjectServices } from "../../components/gcp/projectServices";
import type { Plan } from "../../lib/plan/runPlan";
import { runComponents } from "./components";
import { gcpStackConfig } from "./config";
import { at, stringAt } from "./json";
import { byMockedId, mocked, ofType } from "./plan";

/**
 * Reading what a GCP plan binds, as GCP would see it: Workload Identity bindings of Kubernetes service accounts to
 * Google service accounts, named by the emails GCP gives those accounts (the plan's mocked outputs).
 */

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";
const WORKLOAD_IDENTITY_MEMBER = /^serviceAccount:([^[\]]+)\[([^/[\]]+)\/([^/[\]]+)\]$/;

export interface WorkloadIdentityBinding {
    /** The Google service account's email, as the mocks answer for the account the binding names. */
    readonly email: string;
    /** The workload pool, `<project>.svc.id.goog`. */
    readonly pool: string;
    readonly namespace: string;
    readonly ksa: string;
}

/** The email GCP gives the account a binding's serviceAccountId (`projects/<p>/serviceAccounts/<email>`) names. */
export function accountEmail(plan: Plan, serviceAccountId: string): string {
    return stringAt(mocked(byMockedId(plan, "gcp:serviceaccount/account:Account", serviceAccountId)).state, "email");
}

/** Every workloadIdentityUser member binding the plan declares. */
export function workloadIdentityBindings(plan: Plan): WorkloadIdentityBinding[] {
    return ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        .filter((r) => at(r.inputs, "role") === WORKLOAD_IDENTITY_USER)
        .map((r) => {
            const member = stringAt(r.inputs, "member");
            const match = WORKLOAD_IDENTITY_MEMBER.exec(member);
            if (!match) {
                throw new Error(`${r.name}: member ${member} is not serviceAccount:<pool>[<namespace>/<ksa>]`);
            }
            return { email: accountEmail(plan, stringAt(r.inputs, "serviceAccountId")), pool: match[1], namespace: match[2], ksa: match[3] };
        });
}

/** The one Google service account Workload Identity lets `<namespace>/<ksa>` act as. */
export function boundIdentity(plan: Plan, namespace: string, ksa: string): string {
    const found = workloadIdentityBindings(plan).filter((b) => b.namespace === namespace && b.ksa === ksa);
    if (found.length !== 1) {
        throw new Error(`expected one Workload Identity binding for ${namespace}/${ksa}, found ${found.length}`);
    }
    return found[0].email;
}

/**
 * Plans a GkeCluster alone, on the config fixtures' GCP stack with `overrides`, in a fixed network and subnet:
 * `args` adds or changes its arguments (deletion protection, the Gateway API, the data plane's endpoint clients),
 * `outputs` picks what the test reads from the component.
 */
export function planGkeCluster(
    overrides: Readonly<Record<string, string>>,
    args: Partial<GkeClusterArgs>,
    outputs: (gke: GkeCluster) => Record<string, unknown>,
): Promise<Plan> {
    const config = gcpStackConfig(overrides);
    const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: config.gcp.project });
    return runComponents(() => {
        const apis = new ProjectServices("apis", { project: config.gcp.project });
        const gke = new GkeCluster("gke", {
            project: config.gcp.project,
            names,
            config: config.gcp.gke,
            deletionProtection: false,
            network: "projects/acme-test/global/networks/vpc",
            subnet: "projects/acme-test/regions/europe-west1/subnetworks/nodes",
            podsRangeName: "pods",
            servicesRangeName: "services",
            labels: { app: "flyte" },
            apis: { container: apis.services.container, iam: apis.services.iam },
            ...args,
        });
        return outputs(gke);
    });
}

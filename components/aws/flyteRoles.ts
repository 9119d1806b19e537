import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteWorkloads } from "../flyte/platform";
import type { AwsNames } from "../naming";
import { s3ReadWritePolicy } from "../s3Policy";
import { irsaTrustPolicy } from "./iam";

export interface FlyteRolesArgs {
    readonly names: Pick<AwsNames, "backendRole" | "workerRole">;
    /** The Kubernetes service accounts Flyte runs as: each role trusts exactly its own. */
    readonly workloads: FlyteWorkloads;
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** ARNs of Flyte's buckets; the roles may use these and nothing else. */
    readonly bucketArns: pulumi.Input<string>[];
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * IAM roles for the Flyte backend and for task pods (IRSA): each trusts only its Kubernetes service accounts of
 * this cluster, and may read and write Flyte's two buckets only.
 */
export class FlyteRoles extends pulumi.ComponentResource {
    readonly backend: aws.iam.Role;
    readonly worker: aws.iam.Role;
    /** The roles' permissions; Flyte waits for them. */
    readonly policies: aws.iam.RolePolicy[];

    constructor(name: string, args: FlyteRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:FlyteRoles", name, {}, opts);
        const child = { parent: this };
        const s3Policy = pulumi.all(args.bucketArns).apply(s3ReadWritePolicy);
        const role = (suffix: string, roleName: string, workloads: FlyteWorkloads["backend"]) => {
            const r = new aws.iam.Role(
                `${name}-${suffix}`,
                {
                    name: roleName,
                    description: `Flyte ${suffix} (IRSA). Managed by Pulumi.`,
                    assumeRolePolicy: pulumi
                        .all([args.oidcProviderArn, args.oidcIssuerUrl])
                        .apply(([oidcProviderArn, issuerUrl]) =>
                            irsaTrustPolicy({ oidcProviderArn, issuerUrl, serviceAccounts: workloads }),
                        ),
                    tags: { ...args.tags },
                },
                child,
            );
            const policy = new aws.iam.RolePolicy(`${name}-${suffix}-s3`, { role: r.id, name: "flyte-buckets", policy: s3Policy }, child);
            return { r, policy };
        };
        const backend = role("backend", args.names.backendRole, args.workloads.backend);
        const worker = role("worker", args.names.workerRole, args.workloads.workers);
        this.backend = backend.r;
        this.worker = worker.r;
        this.policies = [backend.policy, worker.policy];
        this.registerOutputs({ backend: this.backend.arn, worker: this.worker.arn });
    }
}

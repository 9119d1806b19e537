import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { simulateS3 } from "./iamSimulator";
import { mocked, ofType, only } from "./plan";
import { iamRolePolicies, s3BucketPolicies, type StorageRequest } from "./storageAccess";
import { readStackSettings } from "./stackSettings";
import { stringAt } from "./json";
import { UnsupportedGrant } from "./unsupported";

/**
 * Readers for the multi-cluster stacks on EKS (eks-control and its data planes), from their plans and stack files:
 * which data planes a control plane lists, a cluster's IAM OIDC provider as IRSA trust names it, roles by ARN, and S3
 * across stacks (one stack's role on another stack's bucket, as the IAM policy simulator decides).
 */

/** A data plane as a control plane's stack file lists it (`flyte:dataPlanes`, `<name>=<stack>`). */
export interface ListedDataPlane {
    readonly name: string;
    readonly stack: string;
}

/** The data planes a control plane's stack file lists, in its order. */
export function listedDataPlanes(controlPlaneStack: string): ListedDataPlane[] {
    return readStackSettings(controlPlaneStack)
        .strings("dataPlanes")
        .map((entry) => {
            const at = entry.indexOf("=");
            return { name: entry.slice(0, at), stack: entry.slice(at + 1) };
        });
}

/** A cluster's IAM OIDC provider: its ARN (the trust's federated principal) and its issuer without `https://` (the condition keys' prefix). */
export interface OidcProvider {
    readonly oidcProviderArn: string;
    readonly issuer: string;
}

/** The plan's one IAM OIDC provider (its EKS cluster's), as the plan's mocks answer its ARN. */
export function planOidcProvider(plan: Plan): OidcProvider {
    const provider = only(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    return {
        oidcProviderArn: stringAt(mocked(provider).state, "arn"),
        issuer: stringAt(provider.inputs, "url").replace(/^https:\/\//, ""),
    };
}

/** The plan's IAM role whose ARN (as the mocks answer it) is `arn`. */
export function roleWithArn(plan: Plan, arn: unknown): RecordedResource {
    const roles = ofType(plan, "aws:iam/role:Role").filter((r) => mocked(r).state.arn === arn);
    if (roles.length !== 1) {
        throw new Error(`expected one IAM role ${String(arn)} in the plan of ${plan.stack}, found ${roles.length}`);
    }
    return roles[0];
}

/**
 * Whether one stack's IAM role may make an S3 request on a bucket another stack owns (a data plane's flytepropeller on
 * the control plane's buckets, a control plane's task role on a data plane's own bucket): the role's inline policies
 * from its plan and the bucket's policy from the bucket owner's plan, simulated (iamSimulator.ts). Same account: the
 * deployment refuses any other.
 */
export async function crossStackS3Allows(rolePlan: Plan, role: RecordedResource, bucketPlan: Plan, request: StorageRequest): Promise<boolean> {
    const bucketPolicies = s3BucketPolicies(bucketPlan, request.bucket);
    if (bucketPolicies.length > 1) {
        throw new UnsupportedGrant(`bucket ${request.bucket} has ${bucketPolicies.length} bucket policies in the plan of ${bucketPlan.stack}`);
    }
    const roleName = stringAt(mocked(role).state, "name");
    const decision = await simulateS3(stringAt(mocked(role).state, "arn"), iamRolePolicies(rolePlan, roleName), bucketPolicies[0], request);
    return decision === "Allowed";
}

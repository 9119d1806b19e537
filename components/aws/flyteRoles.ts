import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { IdentityRequest } from "../contract/identities";
import { dataPlaneRawDataAccess, s3PolicyFor } from "../contract/s3Access";
import { type IrsaProvider, irsaTrustPolicy } from "./iam";

export interface RoleSpec {
    /** Who runs as it and what it may touch. */
    readonly request: IdentityRequest;
    /** The IAM role's name (at most 64 characters), from awsNames; its ARN is what the service accounts are annotated with. */
    readonly roleName: string;
}

export interface FlyteRolesArgs {
    /** One IAM role per identity request, with the name it gets. */
    readonly roles: readonly RoleSpec[];
    /** ARN of the cluster's IAM OIDC provider: the federated principal each role's trust policy names. */
    readonly oidcProviderArn: pulumi.Input<string>;
    /**
     * The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`): the trust policies'
     * conditions on `<issuer>:sub` and `<issuer>:aud` are keyed by it (without the scheme).
     */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /**
     * Other clusters' OIDC providers whose same-named service accounts may assume the task pods' roles (requests with
     * role `worker`): a control plane's data planes, where its task pods run too. Every other role trusts its own
     * cluster alone. Absent or empty: none.
     */
    readonly workerTrust?: pulumi.Input<readonly IrsaProvider[]>;
    /** ARNs of Flyte's buckets; the roles may use these and nothing else. */
    readonly bucketArns: {
        /** The metadata bucket: with project isolation a project's role may use only its own prefixes in it. */
        readonly metadata: pulumi.Input<string>;
        /** The shared user-data (raw outputs) bucket. */
        readonly userData: pulumi.Input<string>;
        /** With project isolation: each project's data bucket. */
        readonly projects: Readonly<Record<string, pulumi.Input<string>>>;
        /**
         * A control plane's data planes' own raw-data buckets: read and write for the task pods' role, read for the
         * role that signs URLs (dataPlaneRawDataAccess). Absent or empty: none.
         */
        readonly dataPlaneRawData?: readonly pulumi.Input<string>[];
    };
    /** AWS tags on every role. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * An IAM role for each identity Flyte asks for (IRSA): each trusts exactly its Kubernetes service accounts of this
 * cluster (task pods' roles also of `workerTrust`'s clusters), and may use exactly the buckets and objects its request
 * names; one that touches no data (the scheduler) gets no permissions at all.
 */
export class FlyteRoles extends pulumi.ComponentResource {
    /** By identity key. */
    readonly roles: Readonly<Record<string, aws.iam.Role>>;
    /** Each role's permissions, by identity key. */
    readonly policies: Readonly<Record<string, aws.iam.RolePolicy[]>>;

    constructor(name: string, args: FlyteRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:FlyteRoles", name, {}, opts);
        const child = { parent: this };
        const projectArns = pulumi.all(args.bucketArns.projects as Record<string, pulumi.Input<string>>);
        const dataPlaneRawData = pulumi.all([...(args.bucketArns.dataPlaneRawData ?? [])]);
        const buckets = pulumi
            .all([args.bucketArns.metadata, args.bucketArns.userData, projectArns, dataPlaneRawData])
            .apply(([metadata, userData, projects, dataPlanes]) => ({ metadata, userData, projects, dataPlaneRawData: dataPlanes }));
        const ownProvider = pulumi
            .all([args.oidcProviderArn, args.oidcIssuerUrl])
            .apply(([oidcProviderArn, issuerUrl]): IrsaProvider[] => [{ oidcProviderArn, issuerUrl }]);
        const workerProviders = pulumi
            .all([ownProvider, pulumi.output(args.workerTrust ?? [])])
            .apply(([own, others]): IrsaProvider[] => [...own, ...others.map((p) => ({ oidcProviderArn: p.oidcProviderArn, issuerUrl: p.issuerUrl }))]);

        const roles: Record<string, aws.iam.Role> = {};
        const policies: Record<string, aws.iam.RolePolicy[]> = {};
        for (const { request, roleName } of args.roles) {
            const key = request.key;
            const role = new aws.iam.Role(
                `${name}-${key}`,
                {
                    name: roleName,
                    description: `${request.title} (IRSA). Managed by Pulumi.`,
                    assumeRolePolicy: (request.role === "worker" ? workerProviders : ownProvider).apply((providers) =>
                        irsaTrustPolicy({ providers, serviceAccounts: request.serviceAccounts }),
                    ),
                    tags: { ...args.tags },
                },
                child,
            );
            roles[key] = role;
            policies[key] =
                request.data.kind === "none"
                    ? []
                    : [
                          new aws.iam.RolePolicy(
                              `${name}-${key}-s3`,
                              {
                                  role: role.id,
                                  name: "flyte-buckets",
                                  policy: buckets.apply((arns) => {
                                      const policy = s3PolicyFor(request.data, arns, dataPlaneRawDataAccess(request));
                                      if (policy === undefined) {
                                          throw new Error(`identity ${key} has no data policy`);
                                      }
                                      return policy;
                                  }),
                              },
                              child,
                          ),
                      ];
        }
        this.roles = roles;
        this.policies = policies;
        this.registerOutputs(Object.fromEntries(Object.entries(roles).map(([key, role]) => [key, role.arn])));
    }
}

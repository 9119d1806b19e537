import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GcpConfig, ProtectionConfig } from "../contract/config";
import { DATA_PLANE_PROPELLER, dataPlanePropellerRequest } from "../contract/identities";
import type { DataPlaneCloudOutput, FlyteDataPlanePlatform, GcpControlPlaneOutput } from "../contract/multiCluster";
import type { DeploymentId, TaskLogLink } from "../contract/platform";
import { cloudLoggingTaskLogLink } from "./cloudLogging";
import { FlyteServiceAccounts } from "./flyteServiceAccounts";
import { GKE_SERVICE_ACCOUNT_ANNOTATION } from "./gcpPlatform";
import { type BucketMemberGrant, RawDataBucket } from "./gcsBuckets";
import { GkeCluster } from "./gkeCluster";
import { BUCKET_ROLES, URL_SIGNER_READ_ROLES } from "./iam";
import { gcpLabels } from "./labels";
import { gcpNames } from "./names";
import { DataPlaneNetwork } from "./network";
import { DATA_PLANE_SERVICES, ProjectServices } from "./projectServices";
import { WorkloadIdentityBindings } from "./workloadIdentityBindings";

export interface GcpDataPlanePlatformArgs {
    /**
     * The stack's gcp section: the project (the control plane's), the region, GKE and the network's three ranges
     * (subnetCidr, podsCidr, servicesCidr). Its database, load balancer, private services and proxy-only ranges are
     * the control plane's business and are not read.
     */
    readonly config: GcpConfig;
    /** Deletion protection on the cluster and the own raw-data bucket, and whether that bucket may go with its objects. */
    readonly protection: ProtectionConfig;
    /** The Pulumi project and this data plane's stack: every name (subnet, cluster, accounts, bucket) follows from them. */
    readonly deployment: DeploymentId;
    /** Flyte's namespace in this cluster, where flytepropeller's Kubernetes service account is (the control plane's). */
    readonly flyteNamespace: string;
    /** The control plane's stack output `controlPlane` (on gcp): its network, client ranges, buckets and identities. */
    readonly controlPlane: GcpControlPlaneOutput;
    /**
     * A raw-data bucket of this data plane's own (`flyte:dataPlaneRawBucket`); false: raw outputs go to the control
     * plane's user-data bucket. Refused when the control plane has project isolation.
     */
    readonly rawDataBucket: boolean;
}

/**
 * A Flyte data plane on Google Cloud: a private GKE cluster in the control plane's VPC network (a subnet, router and
 * NAT of its own; no VPC, Cloud SQL, private services access or load balancer), whose API server the control plane's
 * pods reach at its private endpoint, from any region; flytepropeller's Google service account, bound to its
 * Kubernetes service account and granted the control plane's metadata bucket and the raw-data bucket; and with
 * `rawDataBucket` that bucket, which the control plane's task pods write and its flyteadmin reads to sign URLs.
 *
 * Task pods run as the control plane's task identities: every stack shares one GCP project and so one Workload
 * Identity pool, in which a binding names a Kubernetes service account by namespace and name whatever the cluster
 * ("identity sameness", https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity#identity_sameness).
 */
export class GcpDataPlanePlatform extends pulumi.ComponentResource implements FlyteDataPlanePlatform {
    readonly apis: ProjectServices<(typeof DATA_PLANE_SERVICES)[number]>;
    readonly network: DataPlaneNetwork;
    readonly gke: GkeCluster;
    /** With `rawDataBucket`: the bucket and the control plane's identities' grants on it. */
    readonly ownBucket?: RawDataBucket;
    readonly serviceAccounts: FlyteServiceAccounts;
    readonly workloadIdentity: WorkloadIdentityBindings;

    readonly kubernetesProvider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly apiEndpoint: pulumi.Output<string>;
    readonly podRange: string;
    readonly published: pulumi.Output<DataPlaneCloudOutput> = pulumi.output({ cloud: "gcp" as const });
    readonly propellerIdentity: { readonly annotationKey: string; readonly value: pulumi.Output<string> };
    readonly rawDataBucket: pulumi.Output<string>;
    readonly ownRawDataBucket: boolean;
    readonly taskLogs: readonly TaskLogLink[];
    readonly releaseDependencies: readonly pulumi.Resource[];
    /** flytepropeller's grants on the buckets and its Workload Identity binding. */
    readonly propellerGrants: readonly pulumi.Resource[];

    constructor(name: string, args: GcpDataPlanePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:GcpDataPlanePlatform", name, {}, opts);
        const { config, controlPlane: cp } = args;
        const { project, region } = config;
        // Before anything is declared (the stack's config checks say the same, dataPlaneChecks.ts).
        if (project !== cp.gcpProject) {
            throw new Error(`data plane in GCP project ${project}, its control plane in ${cp.gcpProject}: they share one project`);
        }
        const worker = cp.identities.worker;
        if (args.rawDataBucket && (cp.projectIsolation || worker === undefined)) {
            throw new Error("a data plane's own raw-data bucket is refused when the control plane has project isolation");
        }
        const names = gcpNames({ ...args.deployment, gcpProject: project });
        const labels = gcpLabels(args.deployment);
        const child = { parent: this };

        this.apis = new ProjectServices(`${name}-apis`, { project, required: DATA_PLANE_SERVICES }, child);
        const api = this.apis.services;

        this.network = new DataPlaneNetwork(
            `${name}-network`,
            { project, region, names, config: config.network, network: cp.network, apis: { compute: api.compute } },
            child,
        );

        this.gke = new GkeCluster(
            `${name}-gke`,
            {
                project,
                names,
                config: config.gke,
                deletionProtection: args.protection.deletionProtection,
                network: cp.network,
                subnet: this.network.subnet.id,
                podsRangeName: this.network.podsRangeName,
                servicesRangeName: this.network.servicesRangeName,
                // The control plane's flyteadmin (its pods) and whatever runs on its nodes call this API server at its
                // private endpoint over the shared network; the control plane may be in another region.
                privateEndpointClients: cp.clientRanges,
                privateEndpointGlobalAccess: true,
                labels,
                apis: { container: api.container, iam: api.iam },
            },
            child,
        );

        if (args.rawDataBucket && worker !== undefined) {
            const grants: BucketMemberGrant[] = [
                // Task pods write raw outputs here, with the roles they have on the control plane's user-data bucket.
                { key: "worker", email: worker, roles: BUCKET_ROLES },
                // flyteadmin signs download URLs for raw outputs (iam.ts).
                { key: "flyteadmin", email: cp.identities.flyteadmin, roles: URL_SIGNER_READ_ROLES },
            ];
            this.ownBucket = new RawDataBucket(
                `${name}-bucket`,
                {
                    project,
                    location: region,
                    bucketName: names.userDataBucket,
                    deletionProtection: args.protection.deletionProtection,
                    forceDestroy: args.protection.forceDestroyBuckets,
                    labels,
                    grants,
                    apis: { storage: api.storage },
                },
                child,
            );
        }
        this.ownRawDataBucket = this.ownBucket !== undefined;
        this.rawDataBucket = this.ownBucket ? this.ownBucket.bucket.name : pulumi.output(cp.userDataBucket);

        // Bucket IAM is the bucket's own policy, whoever declares a member of it: member bindings (never the
        // authoritative policy or binding) add this stack's members to buckets of the control plane's stack by name and
        // leave the members that stack manages alone
        // (https://www.pulumi.com/registry/packages/gcp/api-docs/storage/bucketiammember/;
        // https://cloud.google.com/storage/docs/access-control/iam).
        const request = dataPlanePropellerRequest(args.flyteNamespace, args.deployment.stack);
        this.serviceAccounts = new FlyteServiceAccounts(
            `${name}-identities`,
            {
                project,
                accounts: [{ request, accountId: names.coreServiceAccounts.flytepropeller }],
                buckets: { metadata: cp.metadataBucket, userData: this.rawDataBucket, projects: { ...cp.projectBuckets } },
                apis: { iam: api.iam },
            },
            child,
        );
        const propeller = this.serviceAccounts.accounts[DATA_PLANE_PROPELLER];

        this.workloadIdentity = new WorkloadIdentityBindings(
            `${name}-wi`,
            {
                workloadPool: this.gke.workloadPool,
                bindings: [{ key: request.key, serviceAccountId: propeller.name, kubernetesServiceAccounts: request.serviceAccounts }],
            },
            child,
        );

        this.kubernetesProvider = this.gke.provider;
        this.kubeconfig = this.gke.kubeconfig;
        this.clusterName = this.gke.clusterName;
        this.apiEndpoint = pulumi.interpolate`https://${this.gke.privateEndpoint}`;
        this.podRange = config.network.podsCidr;
        this.propellerIdentity = { annotationKey: GKE_SERVICE_ACCOUNT_ANNOTATION, value: propeller.email };
        this.taskLogs = [cloudLoggingTaskLogLink({ project, location: config.gke.location, clusterName: names.cluster })];
        this.propellerGrants = [...this.serviceAccounts.grants[DATA_PLANE_PROPELLER], ...this.workloadIdentity.byKey[DATA_PLANE_PROPELLER]];
        this.releaseDependencies = [this.gke.nodePool, this.network.nat, ...this.propellerGrants];

        this.registerOutputs({ clusterName: this.clusterName, apiEndpoint: this.apiEndpoint, rawDataBucket: this.rawDataBucket });
    }
}

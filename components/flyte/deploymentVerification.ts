import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig, VerificationConfig } from "../contract/config";
import type { FlyteStorage, FlyteWorkloadIdentity } from "../contract/platform";
import { WORKER_SERVICE_ACCOUNT } from "../contract/identities";
import { TASK_STORAGE_SECRET } from "./commonValues";
import { jobCustomTimeouts, setupJobArgs } from "../shared/hardening";
import {
    contentName,
    dataLocations,
    ENDPOINT_PROBE_SERVICE_ACCOUNT,
    endpointProbeRules,
    endpointStage,
    PROBE_USER,
    probeContainer,
    probeFiles,
    probeVolumes,
    CI_CLIENT_SECRET_KEY,
    verifiedIdentityKey,
    verifiedNamespace,
    VERIFIED_REVISION_ANNOTATION,
    verifiedStore,
    workloadStage,
} from "./verification";

/**
 * The verification after each `pulumi up` (verification.ts): two Jobs, run again whenever the Flyte release gets a
 * new revision. The endpoint Job, in Flyte's namespace, waits only for the release, the Service it calls and its
 * own objects; the workload Job runs in the verified project-domain namespace as its task service account once the
 * endpoint Job found that namespace and its annotation, and once the task identity's grants exist. A failed check
 * fails its Job, and the Job `pulumi up`, with the probe's one line.
 */
export interface DeploymentVerificationArgs {
    /** The stack's name, for the probe's messages. */
    readonly stack: string;
    /** The verification's own config: the image the probe runs in. */
    readonly verification: VerificationConfig;
    /** The `flyte:*` config: projects, the verified namespace, project isolation. */
    readonly flyte: FlyteConfig;
    /** Flyte's namespace, read from its Namespace object. */
    readonly namespace: pulumi.Output<string>;
    /** The Service the load balancer sends clients to: the endpoint stage calls Flyte through it. */
    readonly service: k8s.core.v1.Service;
    /** The Flyte release: the Jobs run after it, and again with each new revision. */
    readonly release: k8s.helm.v3.Release;
    /** The platform's object store: where the verified project's tasks write. */
    readonly storage: FlyteStorage;
    /** The platform's cloud identities (absent on a store with static keys). */
    readonly identity?: FlyteWorkloadIdentity;
    /** What makes the verified task identity usable (its grants, its Workload Identity binding), from the platform. */
    readonly identityGrants: readonly pulumi.Resource[];
    /** With authentication: the CI client's secret; the endpoint stage signs in as that client. */
    readonly ciClientSecret?: pulumi.Output<string>;
    /** What the workload stage needs besides (the task namespace and its storage Secret, where this program makes them). */
    readonly workloadDependencies: readonly pulumi.Resource[];
    /** Labels of everything created here. */
    readonly labels: Readonly<Record<string, string>>;
    /** The Kubernetes provider of Flyte's cluster. */
    readonly provider: k8s.Provider;
}

export class DeploymentVerification extends pulumi.ComponentResource {
    /** The endpoint stage's Job, in Flyte's namespace. */
    readonly endpointJob: k8s.batch.v1.Job;
    /** The workload stage's Job, in the verified project-domain namespace. */
    readonly workloadJob: k8s.batch.v1.Job;
    /** Both Jobs as `<namespace>/<name>`, in the order they run: what `npm run verify` runs again. */
    readonly jobs: pulumi.Output<string[]>;

    constructor(name: string, args: DeploymentVerificationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:DeploymentVerification", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const { flyte, storage, identity } = args;
        const target = verifiedNamespace(flyte);
        const labels = { ...args.labels, "app.kubernetes.io/name": "flyte-verification" };
        const files = probeFiles();
        const filesName = contentName("flyte-verification-probe", Object.entries(files).flat());
        const revision = args.release.status.apply((status) =>
            // Unknown until the release exists; the offline plan, which runs no Helm, has no status.
            status === undefined ? "" : String(status.revision),
        );
        const podAnnotations = { [VERIFIED_REVISION_ANNOTATION]: revision };
        const identityKey = verifiedIdentityKey(flyte, target.project);
        const expectedIdentity = identity?.identities[identityKey];
        if (identity !== undefined && expectedIdentity === undefined) {
            throw new Error(`the platform gave no identity ${identityKey} for the verified namespace ${target.namespace}`);
        }

        // ---- Endpoint stage, in Flyte's namespace ----
        const endpointFiles = new k8s.core.v1.ConfigMap(
            `${name}-endpoint-probe`,
            { metadata: { name: filesName, namespace: args.namespace, labels }, data: files },
            k8sOpts,
        );
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-endpoint`,
            { metadata: { name: ENDPOINT_PROBE_SERVICE_ACCOUNT, namespace: args.namespace, labels }, automountServiceAccountToken: false },
            k8sOpts,
        );
        // Cluster-wide objects: named after Flyte's namespace, so that two Flytes on one cluster keep theirs apart.
        const clusterName = `${ENDPOINT_PROBE_SERVICE_ACCOUNT}-${flyte.namespace}`;
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-endpoint`,
            { metadata: { name: clusterName, labels }, rules: endpointProbeRules(target.namespace) },
            k8sOpts,
        );
        const binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-endpoint`,
            {
                metadata: { name: clusterName, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: serviceAccount.metadata.name, namespace: serviceAccount.metadata.namespace }],
            },
            k8sOpts,
        );
        const clientSecret =
            args.ciClientSecret &&
            new k8s.core.v1.Secret(
                `${name}-ci-client`,
                { metadata: { name: `${ENDPOINT_PROBE_SERVICE_ACCOUNT}-ci-client`, namespace: args.namespace, labels }, type: "Opaque", stringData: { [CI_CLIENT_SECRET_KEY]: pulumi.secret(args.ciClientSecret) } },
                k8sOpts,
            );
        const endpointConfig = pulumi
            .all([args.service.metadata.namespace, args.service.metadata.name, expectedIdentity ?? ""])
            .apply(([serviceNamespace, serviceName, value]) =>
                JSON.stringify(
                    endpointStage({
                        stack: args.stack,
                        flyte,
                        service: { namespace: serviceNamespace, name: serviceName },
                        authenticated: clientSecret !== undefined,
                        annotation: identity === undefined ? undefined : { key: identity.annotationKey, value },
                    }),
                ),
            );
        this.endpointJob = new k8s.batch.v1.Job(
            `${name}-endpoint`,
            setupJobArgs({
                name: pulumi.all([endpointConfig, revision]).apply(([config, rev]) => contentName("flyte-verify-endpoint", [args.verification.image, filesName, config, rev])),
                namespace: args.namespace,
                labels: { ...labels, "app.kubernetes.io/component": "endpoint" },
                user: PROBE_USER,
                serviceAccountName: serviceAccount.metadata.name,
                kubernetesApiToken: true,
                podAnnotations,
                container: probeContainer({
                    stage: "endpoint",
                    image: args.verification.image,
                    config: endpointConfig,
                    probeVolume: "probe",
                    ...(clientSecret ? { clientSecretVolume: "ci-client" } : {}),
                }),
                volumes: probeVolumes({
                    configMap: endpointFiles.metadata.name,
                    ...(clientSecret ? { clientSecret: { secretName: clientSecret.metadata.name, key: CI_CLIENT_SECRET_KEY } } : {}),
                }),
            }),
            { ...k8sOpts, dependsOn: [args.release, binding], customTimeouts: jobCustomTimeouts() },
        );

        // ---- Workload stage, in the verified namespace, as its task service account ----
        const store = verifiedStore(storage);
        const isolatedBucket = flyte.projectIsolation ? storage.projects[target.project]?.bucket : undefined;
        if (flyte.projectIsolation && isolatedBucket === undefined) {
            throw new Error(`the platform gave no data bucket for project ${target.project}`);
        }
        const workloadConfig = pulumi
            .all([storage.metadataBucket, isolatedBucket ?? storage.userDataBucket, expectedIdentity ?? "", identity?.nodeIdentity ?? ""])
            .apply(([metadataBucket, rawDataBucket, value, nodeIdentity]) =>
                JSON.stringify(
                    workloadStage({
                        stack: args.stack,
                        target,
                        store,
                        identity: identity === undefined ? undefined : { value, ...(nodeIdentity ? { nodeIdentity } : {}) },
                        locations: dataLocations({ target, metadataBucket, rawDataBucket }),
                    }),
                ),
            );
        // The namespace exists once the endpoint stage has passed (Flyte's cluster resource sync makes it on the clouds).
        const workloadFiles = new k8s.core.v1.ConfigMap(
            `${name}-workload-probe`,
            { metadata: { name: filesName, namespace: target.namespace, labels }, data: files },
            { ...k8sOpts, dependsOn: [this.endpointJob, ...args.workloadDependencies] },
        );
        this.workloadJob = new k8s.batch.v1.Job(
            `${name}-workload`,
            setupJobArgs({
                name: pulumi.all([workloadConfig, revision]).apply(([config, rev]) => contentName("flyte-verify-workload", [args.verification.image, filesName, config, rev])),
                namespace: workloadFiles.metadata.namespace,
                labels: { ...labels, "app.kubernetes.io/component": "workload" },
                user: PROBE_USER,
                serviceAccountName: WORKER_SERVICE_ACCOUNT,
                podAnnotations,
                container: probeContainer({
                    stage: "workload",
                    image: args.verification.image,
                    config: workloadConfig,
                    probeVolume: "probe",
                    ...(storage.provider === "s3-compatible" ? { storageSecret: TASK_STORAGE_SECRET } : {}),
                }),
                volumes: probeVolumes({ configMap: workloadFiles.metadata.name }),
            }),
            { ...k8sOpts, dependsOn: [this.endpointJob, ...args.identityGrants, ...args.workloadDependencies], customTimeouts: jobCustomTimeouts() },
        );
        this.jobs = pulumi
            .all([this.endpointJob.metadata.namespace, this.endpointJob.metadata.name, this.workloadJob.metadata.namespace, this.workloadJob.metadata.name])
            .apply(([endpointNamespace, endpointName, workloadNamespace, workloadName]) => [
                `${endpointNamespace}/${endpointName}`,
                `${workloadNamespace}/${workloadName}`,
            ]);
        this.registerOutputs({ jobs: this.jobs });
    }
}
